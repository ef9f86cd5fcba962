// The proposal form: three steps, confirm and done. Each step posts back to itself, is
// validated on the server (400 with field errors), and redirects to the next step.
import type { ServerResponse } from 'node:http';
import type { AuthenticatedContext } from '../context';
import { redirect, sendHtml, sendJson } from '../http-util';
import { badRequestPage, notFoundPage, serverErrorPage } from '../pages/error.page';
import { confirmPage, customerPage, donePage, quotePage, vehiclePage, type StepPageModel } from '../pages/proposal.pages';
import { modelsOf } from '../proposal/catalog';
import type { ProposalDraft } from '../proposal/draft';
import { computePremium } from '../proposal/premium';
import { readFields, validateCustomer, validateVehicle, type FieldErrors } from '../proposal/validation';
import { readPostedForm } from './posted-form';

const VEHICLE = '/Proposal/Vehicle.aspx';
const CUSTOMER = '/Proposal/Customer.aspx';
const QUOTE = '/Proposal/Quote.aspx';
const CONFIRM = '/Proposal/Confirm.aspx';

// What a step's injected validation fault (validationErrorAtStep) reports, as a portal whose
// back end rejected an otherwise valid entry would.
const INJECTED_ERRORS: Record<1 | 2 | 3, FieldErrors> = {
  1: { txtRegistrationNo: 'The registration number could not be verified. Please check it and try again.' },
  2: { txtMobile: 'The mobile number could not be verified. Please check it and try again.' },
  3: { premium: 'The quote has expired. Please review the premium and continue.' },
};

function model(ctx: AuthenticatedContext, draft: ProposalDraft, path: string, extra: Partial<StepPageModel> = {}): StepPageModel {
  return { username: ctx.session.username, draft, action: ctx.services.formProgress.stepUrl(path, draft), ...extra };
}

/** The first step this draft has not completed, where an out-of-order request is sent. */
function firstIncompleteStep(draft: ProposalDraft): string {
  if (!draft.vehicle) return VEHICLE;
  if (!draft.customer) return CUSTOMER;
  if (!draft.quoteAccepted) return QUOTE;
  return CONFIRM;
}

function draftForGet(ctx: AuthenticatedContext): ProposalDraft | undefined {
  return ctx.services.formProgress.find(ctx.session, ctx.query.get('ft') ?? undefined);
}

/** The posted form and its draft, or undefined once a response was sent. */
async function readStepPost(ctx: AuthenticatedContext): Promise<{ body: URLSearchParams; draft: ProposalDraft } | undefined> {
  const body = await readPostedForm(ctx);
  if (!body) return undefined;
  const progress = ctx.services.formProgress;
  let token: string | undefined;
  if (progress.tokenRequired) {
    const { values, errors } = readFields(body, ['__FORMTOKEN']);
    if (errors.__FORMTOKEN) {
      sendHtml(ctx.res, 400, badRequestPage(errors));
      return undefined;
    }
    token = values.__FORMTOKEN;
  }
  const draft = progress.find(ctx.session, token);
  if (!draft) {
    // The form expired (new session, or submitted already): start over, as such portals do.
    redirect(ctx.res, VEHICLE);
    return undefined;
  }
  return { body, draft };
}

function vehicleValues(draft: ProposalDraft): Record<string, string> | undefined {
  const v = draft.vehicle;
  return v && { ddlMake: v.make, ddlModel: v.model, txtRegistrationNo: v.registrationNo, txtChassisNo: v.chassisNo };
}

function customerValues(draft: ProposalDraft): Record<string, string> | undefined {
  const c = draft.customer;
  return c && { txtFullName: c.fullName, txtDateOfBirth: c.dateOfBirth, txtMobile: c.mobile, txtEmail: c.email };
}

export function getVehicle(ctx: AuthenticatedContext): void {
  const { formProgress } = ctx.services;
  const existing = formProgress.tokenRequired ? draftForGet(ctx) : undefined;
  const draft = existing ?? formProgress.start(ctx.session);
  sendHtml(ctx.res, 200, vehiclePage(model(ctx, draft, VEHICLE, { values: vehicleValues(draft) })));
}

export async function postVehicle(ctx: AuthenticatedContext): Promise<void> {
  const post = await readStepPost(ctx);
  if (!post) return;
  const { body, draft } = post;
  const result = validateVehicle(body);
  if (!result.ok) {
    sendHtml(ctx.res, 400, vehiclePage(model(ctx, draft, VEHICLE, { values: result.values, errors: result.errors })));
    return;
  }
  if (ctx.services.faults.validationErrorAtStep === 1) {
    const values = Object.fromEntries(body);
    sendHtml(ctx.res, 400, vehiclePage(model(ctx, draft, VEHICLE, { values, errors: INJECTED_ERRORS[1] })));
    return;
  }
  draft.vehicle = result.value;
  draft.quoteAccepted = false;
  redirect(ctx.res, ctx.services.formProgress.stepUrl(CUSTOMER, draft));
}

export function getCustomer(ctx: AuthenticatedContext): void {
  const draft = draftForGet(ctx);
  if (!draft) return redirect(ctx.res, VEHICLE);
  if (!draft.vehicle) return redirect(ctx.res, ctx.services.formProgress.stepUrl(VEHICLE, draft));
  sendHtml(ctx.res, 200, customerPage(model(ctx, draft, CUSTOMER, { values: customerValues(draft) })));
}

export async function postCustomer(ctx: AuthenticatedContext): Promise<void> {
  const post = await readStepPost(ctx);
  if (!post) return;
  const { body, draft } = post;
  if (!draft.vehicle) return redirect(ctx.res, ctx.services.formProgress.stepUrl(VEHICLE, draft));
  const result = validateCustomer(body, ctx.services.options.now());
  if (!result.ok) {
    sendHtml(ctx.res, 400, customerPage(model(ctx, draft, CUSTOMER, { values: result.values, errors: result.errors })));
    return;
  }
  if (ctx.services.faults.validationErrorAtStep === 2) {
    const values = Object.fromEntries(body);
    sendHtml(ctx.res, 400, customerPage(model(ctx, draft, CUSTOMER, { values, errors: INJECTED_ERRORS[2] })));
    return;
  }
  draft.customer = result.value;
  draft.quoteAccepted = false;
  redirect(ctx.res, ctx.services.formProgress.stepUrl(QUOTE, draft));
}

function priced(ctx: AuthenticatedContext, draft: ProposalDraft): boolean {
  if (!draft.vehicle || !draft.customer) return false;
  draft.premium = computePremium(draft.vehicle, draft.customer, ctx.services.options.now());
  return true;
}

export function getQuote(ctx: AuthenticatedContext): void {
  const draft = draftForGet(ctx);
  if (!draft) return redirect(ctx.res, VEHICLE);
  if (!priced(ctx, draft)) return redirect(ctx.res, ctx.services.formProgress.stepUrl(firstIncompleteStep(draft), draft));
  sendHtml(ctx.res, 200, quotePage(model(ctx, draft, QUOTE)));
}

export async function postQuote(ctx: AuthenticatedContext): Promise<void> {
  const post = await readStepPost(ctx);
  if (!post) return;
  const { draft } = post;
  if (!priced(ctx, draft)) return redirect(ctx.res, ctx.services.formProgress.stepUrl(firstIncompleteStep(draft), draft));
  if (ctx.services.faults.validationErrorAtStep === 3) {
    sendHtml(ctx.res, 400, quotePage(model(ctx, draft, QUOTE, { errors: INJECTED_ERRORS[3] })));
    return;
  }
  draft.quoteAccepted = true;
  redirect(ctx.res, ctx.services.formProgress.stepUrl(CONFIRM, draft));
}

export function getConfirm(ctx: AuthenticatedContext): void {
  const draft = draftForGet(ctx);
  if (!draft) return redirect(ctx.res, VEHICLE);
  if (!draft.quoteAccepted) return redirect(ctx.res, ctx.services.formProgress.stepUrl(firstIncompleteStep(draft), draft));
  sendHtml(ctx.res, 200, confirmPage(model(ctx, draft, CONFIRM)));
}

export async function postConfirm(ctx: AuthenticatedContext): Promise<void> {
  const post = await readStepPost(ctx);
  if (!post) return;
  const { draft } = post;
  const { vehicle, customer, premium } = draft;
  if (!draft.quoteAccepted || !vehicle || !customer || premium === undefined) {
    return redirect(ctx.res, ctx.services.formProgress.stepUrl(firstIncompleteStep(draft), draft));
  }
  const { services } = ctx;
  const submission = services.submissions.record({ chassisNo: vehicle.chassisNo, username: ctx.session.username, vehicle, customer, premium });
  services.stats.recordSubmission(vehicle.chassisNo);
  services.formProgress.finish(ctx.session, draft);
  answerSubmission(ctx, ctx.res, `/Proposal/Done.aspx?ref=${encodeURIComponent(submission.reference)}`);
}

/** The duplicate trap strikes after the submission is recorded: the client never learns it worked. */
function answerSubmission(ctx: AuthenticatedContext, res: ServerResponse, doneUrl: string): void {
  switch (ctx.services.faults.duplicateTrap) {
    case 'error':
      return sendHtml(res, 500, serverErrorPage());
    case 'hang':
      return ctx.services.hang(res);
    default:
      return redirect(res, doneUrl);
  }
}

export function getDone(ctx: AuthenticatedContext): void {
  const submission = ctx.services.submissions.findByReference(ctx.query.get('ref') ?? '');
  if (!submission || submission.username !== ctx.session.username) {
    sendHtml(ctx.res, 404, notFoundPage());
    return;
  }
  sendHtml(ctx.res, 200, donePage(ctx.session.username, submission.reference, submission.chassisNo));
}

/** The dependent dropdown's XHR: models of one make, after the configured latency. */
export async function getModels(ctx: AuthenticatedContext): Promise<void> {
  await ctx.services.delay(ctx.services.options.modelsLatencyMs);
  const models = modelsOf(ctx.query.get('make') ?? '').map((m) => ({ value: m.name, text: m.name }));
  sendJson(ctx.res, 200, models);
}
