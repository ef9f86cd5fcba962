// The plain signed-in pages: root, dashboard and search by business key.
import type { AuthenticatedContext } from '../context';
import { redirect, sendHtml } from '../http-util';
import { dashboardPage } from '../pages/dashboard.page';
import { searchPage } from '../pages/search.page';

export function getRoot(ctx: AuthenticatedContext): void {
  redirect(ctx.res, '/Dashboard.aspx');
}

export function getDashboard(ctx: AuthenticatedContext): void {
  sendHtml(ctx.res, 200, dashboardPage(ctx.session.username));
}

export function getSearch(ctx: AuthenticatedContext): void {
  const chassis = (ctx.query.get('chassis') ?? '').trim().toUpperCase().slice(0, 40);
  const results = chassis ? ctx.services.submissions.findByChassis(chassis) : [];
  sendHtml(ctx.res, 200, searchPage(ctx.session.username, chassis, results));
}
