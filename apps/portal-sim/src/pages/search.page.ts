// The search page: every submission for one business key, for reconciliation.
import type { Submission } from '../proposal/submissions';
import { escapeHtml, layout } from './html';

export function searchPage(username: string, chassis: string, results: readonly Submission[]): string {
  const rows = results
    .map(
      (s) => `<tr class="result-row" data-reference="${escapeHtml(s.reference)}" data-chassis="${escapeHtml(s.chassisNo)}">
<td class="reference">${escapeHtml(s.reference)}</td><td class="chassis">${escapeHtml(s.chassisNo)}</td><td class="submitted-at">${escapeHtml(new Date(s.submittedAt).toISOString())}</td></tr>`,
    )
    .join('');
  return layout(
    'Find a proposal',
    `<h1>Find a proposal</h1>
<form id="form1" method="get" action="/Search.aspx">
<div class="field"><label for="txtChassis">Chassis number</label><input type="text" id="txtChassis" name="chassis" value="${escapeHtml(chassis)}"></div>
<div class="actions"><input type="submit" id="btnSearch" value="Search"></div>
</form>
<p><span id="lblResultCount">${results.length}</span> result(s)</p>
<table id="tblResults"><thead><tr><th>Reference</th><th>Chassis number</th><th>Submitted at</th></tr></thead>
<tbody>${rows}</tbody></table>`,
    { username },
  );
}
