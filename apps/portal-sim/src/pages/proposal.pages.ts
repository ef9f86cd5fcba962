// The proposal form's pages: vehicle → customer → quote → confirm → done. Each step is a
// form#form1 posting back to its own page with the draft's __FORMTOKEN.
import { MAKES, modelsOf } from '../proposal/catalog';
import type { ProposalDraft } from '../proposal/draft';
import { formatPremium } from '../proposal/premium';
import type { FieldErrors } from '../proposal/validation';
import { errorSummary, escapeHtml, fieldError, layout, textInput } from './html';

const STEPS = ['Vehicle', 'Customer', 'Quote', 'Confirm'] as const;

export interface StepPageModel {
  username: string;
  draft: ProposalDraft;
  /** Where the form posts back: the step's own address. */
  action: string;
  values?: Record<string, string>;
  errors?: FieldErrors;
}

function stepIndicator(current: (typeof STEPS)[number]): string {
  const items = STEPS.map((step) => `<li${step === current ? ' class="current"' : ''}>${step}</li>`).join('');
  return `<ol id="steps">${items}</ol>`;
}

function stepForm(model: StepPageModel, content: string): string {
  const token = escapeHtml(model.draft.token);
  return `<form id="form1" method="post" action="${escapeHtml(model.action)}" data-form-token="${token}">
<input type="hidden" id="hdnFormToken" name="__FORMTOKEN" value="${token}">
${errorSummary(model.errors)}${content}</form>`;
}

function option(value: string, text: string, selected: boolean): string {
  return `<option value="${escapeHtml(value)}"${selected ? ' selected' : ''}>${escapeHtml(text)}</option>`;
}

export function vehiclePage(model: StepPageModel): string {
  const values = model.values ?? {};
  const make = values.ddlMake ?? '';
  const makes = [option('', '-- Select --', make === ''), ...MAKES.map((m) => option(m, m, m === make))].join('');
  const models = [option('', '-- Select --', !values.ddlModel), ...modelsOf(make).map((m) => option(m.name, m.name, m.name === values.ddlModel))].join('');
  return layout(
    'Vehicle details',
    `<h1>New motor proposal: vehicle</h1>${stepIndicator('Vehicle')}
${stepForm(
  model,
  `<div class="field"><label for="ddlMake">Make</label><select id="ddlMake" name="ddlMake">${makes}</select>${fieldError(model.errors, 'ddlMake')}</div>
<div class="field"><label for="ddlModel">Model</label><select id="ddlModel" name="ddlModel">${models}</select>${fieldError(model.errors, 'ddlModel')}</div>
${textInput('txtRegistrationNo', 'Registration number', values, model.errors)}
${textInput('txtChassisNo', 'Chassis number (VIN)', values, model.errors, 'maxlength="17"')}
<div class="actions"><input type="submit" id="btnNext" name="btnNext" value="Next"></div>`,
)}`,
    { username: model.username, scripts: ['/Scripts/vehicle.js'] },
  );
}

export function customerPage(model: StepPageModel): string {
  const values = model.values ?? {};
  return layout(
    'Customer details',
    `<h1>New motor proposal: customer</h1>${stepIndicator('Customer')}
${stepForm(
  model,
  `${textInput('txtFullName', 'Full name', values, model.errors)}
${textInput('txtDateOfBirth', 'Date of birth (yyyy-mm-dd)', values, model.errors, 'placeholder="yyyy-mm-dd"')}
${textInput('txtMobile', 'Mobile', values, model.errors)}
${textInput('txtEmail', 'E-mail', values, model.errors)}
<div class="actions"><input type="submit" id="btnNext" name="btnNext" value="Next"></div>`,
)}`,
    { username: model.username },
  );
}

function summary(draft: ProposalDraft): string {
  const v = draft.vehicle;
  const c = draft.customer;
  const row = (id: string, label: string, value: string | undefined) =>
    `<tr><th>${escapeHtml(label)}</th><td><span id="${id}">${escapeHtml(value ?? '')}</span></td></tr>`;
  return `<table id="tblSummary">
${row('lblMake', 'Make', v?.make)}${row('lblModel', 'Model', v?.model)}
${row('lblRegistrationNo', 'Registration number', v?.registrationNo)}${row('lblChassisNo', 'Chassis number', v?.chassisNo)}
${row('lblFullName', 'Full name', c?.fullName)}${row('lblDateOfBirth', 'Date of birth', c?.dateOfBirth)}
${row('lblMobile', 'Mobile', c?.mobile)}${row('lblEmail', 'E-mail', c?.email)}
</table>`;
}

export function quotePage(model: StepPageModel): string {
  return layout(
    'Quote',
    `<h1>New motor proposal: quote</h1>${stepIndicator('Quote')}
${stepForm(
  model,
  `${summary(model.draft)}
<p>Annual premium: <span id="lblPremium">${escapeHtml(formatPremium(model.draft.premium ?? 0))}</span>${fieldError(model.errors, 'premium')}</p>
<div class="actions"><input type="submit" id="btnNext" name="btnNext" value="Next"></div>`,
)}`,
    { username: model.username },
  );
}

export function confirmPage(model: StepPageModel): string {
  return layout(
    'Confirm',
    `<h1>New motor proposal: confirm</h1>${stepIndicator('Confirm')}
${stepForm(
  model,
  `${summary(model.draft)}
<p>Annual premium: <span id="lblPremium">${escapeHtml(formatPremium(model.draft.premium ?? 0))}</span></p>
<div class="actions"><input type="submit" id="btnSubmit" name="btnSubmit" value="Submit proposal"></div>`,
)}`,
    { username: model.username },
  );
}

export function donePage(username: string, reference: string, chassisNo: string): string {
  return layout(
    'Proposal submitted',
    `<h1>Proposal submitted</h1>
<p>Your proposal for chassis <span id="lblChassisNo">${escapeHtml(chassisNo)}</span> was received.</p>
<p>Reference: <span id="lblReference">${escapeHtml(reference)}</span></p>
<p><a id="lnkDashboard" href="/Dashboard.aspx">Back to the dashboard</a></p>`,
    { username },
  );
}
