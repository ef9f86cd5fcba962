// A PortalAdapter built from a declarative portal file (docs/declarative-portals.md): the same
// contract as a code adapter, with the steps, markers and reads the file describes.
import type { HTTPRequest, HTTPResponse, Page } from 'puppeteer-core';
import type { ZodType, ZodTypeDef } from 'zod';
import { AbortedError, EngineError, TimeoutError } from '@engine/core';
import { probeSession, runOperation, type OperationOptions, type OperationScope, type ProbeResult, type ProbeSelectors } from '@engine/browser';
import { LoginFailedError, SubmissionInDoubtError, UnexpectedPageError, type LoginFailureReason } from '../errors';
import { clickAndNavigate, currentPath, setField, type CaptchaSolver, type Credentials, type FindSubmissionResult, type PortalAdapter, type SubmitResult } from '@portal-engine/adapter-kit';
import { expectUrl, openPage, runActions, type ActionContext } from './action-runner';
import { markerHolds, present, readOnPage, readWithin, urlMatches } from './page-reads';
import type { PortalDefinition } from './portal-document';
import { renderTemplate, type RuntimeValues } from './template';

export class DeclarativePortalAdapter implements PortalAdapter<unknown> {
  readonly id: string;
  readonly origin: string;
  readonly selectors: ProbeSelectors;
  readonly fillSteps: readonly string[];
  /** Every navigation of a step checks the document's logged-out marker (action-runner: throwIfLoggedOut). */
  readonly detectsLoggedOutOnNavigation = true;
  readonly authoritativeLookup?: { readonly settleMs: number };

  constructor(
    private readonly definition: PortalDefinition,
    readonly payloadSchema: ZodType<unknown, ZodTypeDef, unknown>,
  ) {
    const { loggedIn, loggedOut } = definition.session;
    this.id = definition.id;
    this.origin = definition.origin;
    this.fillSteps = definition.steps.map((step) => step.name);
    if (definition.lookup.authoritative) this.authoritativeLookup = { settleMs: definition.lookup.settleMs ?? 0 };
    this.selectors = {
      loginForm: loggedOut.selector,
      loggedIn: loggedIn.selector,
      loginUrlPatterns: loggedOut.url ? [loggedOut.url] : [],
      loggedInUrlPatterns: loggedIn.url ? [loggedIn.url] : [],
    };
  }

  businessKey(payload: unknown): string {
    const { value, upper } = this.definition.businessKey;
    const key = renderTemplate(value, { payload }, { encode: false }).trim();
    return upper ? key.toUpperCase() : key;
  }

  login(page: Page, credentials: Credentials, captchaSolver: CaptchaSolver, options: OperationOptions): Promise<void> {
    const { login, session } = this.definition;
    return runOperation(`${this.id} login`, options, async (scope) => {
      // The captcha image exactly as the browser got it: fetching it again could yield another challenge.
      const captchaImage = login.captcha ? captchaOfNextDocument(page, login.captcha.image, scope) : undefined;
      const response = await openPage(page, this.url(login.url), scope);
      const status = response?.status() ?? 0;
      if (status >= 400 || !(await present(page, login.fields[0].selector))) throw new UnexpectedPageError(this.id, 'login', currentPath(page), status || undefined);

      for (const field of login.fields) {
        await this.requireField(page, field.selector);
        await setField(page, field.selector, renderTemplate(field.value, { credentials }, { encode: false }));
      }
      if (login.captcha && captchaImage) {
        const captchaId = login.captcha.id ? await readOnPage(page, login.captcha.id) : '';
        const image = Buffer.from(await (await captchaImage).buffer());
        const answer = await captchaSolver.solve(
          { image, portal: this.id, ...(captchaId ? { captchaId } : {}) },
          { signal: scope.signal, timeoutMs: scope.remainingMs() },
        );
        await this.requireField(page, login.captcha.answer);
        await setField(page, login.captcha.answer, answer);
      }
      await this.requireField(page, login.submit);
      await clickAndNavigate(page, login.submit, scope);
      if (await markerHolds(page, session.loggedIn)) return;
      throw new LoginFailedError(this.id, await this.loginFailureReason(page));
    });
  }

  probe(page: Page, options: OperationOptions): Promise<ProbeResult> {
    return probeSession(page, this.selectors, { ...options, url: this.url(this.definition.session.probeUrl) });
  }

  fillStep(page: Page, payload: unknown, stepName: string, options: OperationOptions): Promise<void> {
    return runOperation(`${this.id} fill ${stepName}`, options, async (scope) => {
      const step = this.definition.steps.find((candidate) => candidate.name === stepName);
      if (!step) throw new UnexpectedPageError(this.id, stepName, currentPath(page));
      const ctx = this.context(stepName, scope, { payload, businessKey: this.businessKey(payload) });
      if (step.expectUrl) await expectUrl(page, step.expectUrl, ctx);
      await runActions(page, step.actions, { ...ctx, rejected: step.rejected });
    });
  }

  async submit(page: Page, payload: unknown, options: OperationOptions): Promise<SubmitResult> {
    const { submit } = this.definition;
    let clicked = false;
    try {
      return await runOperation(`${this.id} submit`, options, async (scope) => {
        const ctx = this.context('submit', scope, { payload, businessKey: this.businessKey(payload) });
        // Never click anywhere but where the file says the submission is made.
        if (submit.expectUrl) await expectUrl(page, submit.expectUrl, ctx);
        await runActions(page, submit.actions, { ...ctx, beforeClick: () => (clicked = true) });
        if (!(await markerHolds(page, submit.success))) throw new SubmissionInDoubtError(this.id, `no success marker after submit (${currentPath(page)})`);
        const reference = await readOnPage(page, submit.reference);
        if (!reference) throw new SubmissionInDoubtError(this.id, `no reference after submit (${currentPath(page)})`);
        return { reference };
      });
    } catch (error) {
      // Once a click is out, no failure is a "no": the portal may have recorded the submission.
      if (!clicked || error instanceof SubmissionInDoubtError) throw error;
      throw new SubmissionInDoubtError(this.id, afterClickReason(error), error);
    }
  }

  findSubmission(page: Page, businessKey: string, options: OperationOptions): Promise<FindSubmissionResult> {
    const { lookup, businessKey: keyRule } = this.definition;
    return runOperation(`${this.id} find submission`, options, async (scope) => {
      const key = keyRule.upper ? businessKey.trim().toUpperCase() : businessKey.trim();
      await runActions(page, [{ kind: 'goto', url: lookup.url }], this.context('find submission', scope, { businessKey: key }));
      if (lookup.waitFor) await page.waitForSelector(lookup.waitFor, { timeout: 0, signal: scope.signal });
      const rows = await page.$$(lookup.rows);
      try {
        for (const row of rows) {
          if ((await readWithin(row, lookup.key)).toLowerCase() !== key.toLowerCase()) continue;
          const reference = await readWithin(row, lookup.reference);
          if (reference) return { found: true, reference };
        }
        return { found: false };
      } finally {
        await Promise.all(rows.map((row) => row.dispose()));
      }
    });
  }

  private context(stage: string, scope: OperationScope, values: RuntimeValues): ActionContext {
    return { portal: this.id, stage, origin: this.origin, session: this.definition.session, values, scope };
  }

  private async requireField(page: Page, selector: string): Promise<void> {
    if (!(await present(page, selector))) throw new UnexpectedPageError(this.id, 'login', currentPath(page));
  }

  private async loginFailureReason(page: Page): Promise<LoginFailureReason> {
    if (!(await markerHolds(page, this.definition.session.loggedOut))) return 'no-session';
    const failure = this.definition.login.failure;
    // Classified here and dropped: the portal's message never goes into the error.
    const message = failure?.message ? await readOnPage(page, { selector: failure.message }) : '';
    if (failure?.captchaRejected?.test(message)) return 'wrong-captcha';
    if (failure?.locked?.test(message)) return 'locked';
    return 'rejected';
  }

  private url(pathOrUrl: string): string {
    return new URL(pathOrUrl, this.origin).toString();
  }
}

/**
 * The first response for the captcha image that the next main-frame document loads. A page still
 * loading from an earlier navigation (a probe sent to the login page) may deliver its own, older
 * challenge after this is armed; only requests made once this navigation's document arrived count.
 */
function captchaOfNextDocument(page: Page, image: RegExp, scope: OperationScope): Promise<HTTPResponse> {
  let navigation: HTTPRequest | undefined;
  let documentArrived = false;
  const onRequest = (request: HTTPRequest) => {
    if (!navigation && request.isNavigationRequest() && request.frame() === page.mainFrame()) navigation = request;
  };
  const onResponse = (response: HTTPResponse) => {
    const request = response.request();
    if (navigation && (request === navigation || request.redirectChain().includes(navigation))) documentArrived = true;
  };
  page.on('request', onRequest);
  page.on('response', onResponse);
  const captcha = page.waitForResponse((response) => documentArrived && urlMatches(image, response.url()), { timeout: 0, signal: scope.signal });
  const stop = () => {
    page.off('request', onRequest);
    page.off('response', onResponse);
  };
  captcha.then(stop, stop);
  return captcha;
}

function afterClickReason(error: unknown): string {
  if (error instanceof TimeoutError) return 'no answer before the deadline';
  if (error instanceof AbortedError) return 'aborted after the click';
  if (error instanceof EngineError) return `${error.code} after the click`;
  return 'the page failed after the click';
}
