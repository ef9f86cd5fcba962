// The landing page after login: the motor proposal entry point and the logout link.
import { layout } from './html';

export function dashboardPage(username: string): string {
  return layout(
    'Dashboard',
    `<h1>Dashboard</h1>
<div id="divMainMotors" class="tile"><a id="lnkMotors" href="/Proposal/Vehicle.aspx">Motor insurance: new proposal</a></div>
<div id="divSearch" class="tile"><a id="lnkSearch" href="/Search.aspx">Find a proposal</a></div>
<div id="divLogout" class="tile"><a id="lnkLogout" href="/Logout.aspx">Log out</a></div>`,
    { username },
  );
}
