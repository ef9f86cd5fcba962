// The portal simulator's adapter: WebForms-style login with an image captcha, a three-step
// motor proposal (vehicle with a make → model dropdown loaded by XHR, customer, quote), the
// confirm-and-submit click, and search by chassis number for reconciliation.
import type { HTTPResponse, Page } from 'puppeteer-core';
import { SessionExpiredError, TimeoutError, AbortedError } from '@engine/core';
import { probeSession, runOperation, type OperationOptions, type OperationScope, type ProbeResult } from '@engine/browser';
import { FormRejectedError, LoginFailedError, SubmissionInDoubtError, UnexpectedPageError } from '../errors';
import { clickAndNavigate, currentPath, setField, type CaptchaSolver, type Credentials, type FindSubmissionResult, type PortalAdapter, type SubmitResult } from '@portal-engine/adapter-kit';
import { portalSimPayloadSchema, type PortalSimPayload } from './portal-sim.payload';
import { PORTAL_SIM_PATHS as PATHS, PORTAL_SIM_SELECTORS } from './portal-sim.selectors';

export interface PortalSimAdapterConfig {
  /** The simulator's base URL, e.g. http://127.0.0.1:41234 */
  baseUrl: string;
  /** Defaults to `portal-sim`; another id lets one engine drive two simulators. */
  id?: string;
}

type Step = 'vehicle' | 'customer' | 'quote';

export class PortalSimAdapter implements PortalAdapter<PortalSimPayload> {
  readonly id: string;
  readonly origin: string;
  readonly payloadSchema = portalSimPayloadSchema;
  readonly selectors = PORTAL_SIM_SELECTORS;
  readonly fillSteps: readonly Step[] = ['vehicle', 'customer', 'quote'];
  /** Every step checks where it landed (expectPage): a redirect to the login page is SESSION_EXPIRED. */
  readonly detectsLoggedOutOnNavigation = true;
  /** The simulator lists a submission in its search the moment it records it. */
  readonly authoritativeLookup = { settleMs: 0 };

  constructor(config: PortalSimAdapterConfig) {
    this.id = config.id ?? 'portal-sim';
    this.origin = new URL(config.baseUrl).origin;
  }

  businessKey(payload: PortalSimPayload): string {
    return payload.vehicle.chassisNo.toUpperCase();
  }

  login(page: Page, credentials: Credentials, captchaSolver: CaptchaSolver, options: OperationOptions): Promise<void> {
    return runOperation(`${this.id} login`, options, async (scope) => {
      // The captcha image exactly as the browser got it: fetching it again could yield another
      // challenge. Only this page's challenge counts: a login page opened just before (a probe's
      // redirect) may still be loading its own image.
      const captchas = captchaResponses(page);
      try {
        const response = await this.open(page, PATHS.login, scope);
        this.expectPage(page, 'login', PATHS.login, response);
        const captchaId = await page.$eval('#hdnCaptchaId', (el) => (el as HTMLInputElement).value);
        const image = Buffer.from(await (await scope.race(captchas.of(captchaId))).buffer());
        const answer = await captchaSolver.solve({ image, portal: this.id, captchaId }, { signal: scope.signal, timeoutMs: scope.remainingMs() });
        await setField(page, '#txtUserName', credentials.username);
        await setField(page, '#txtPassword', credentials.password);
        await setField(page, '#txtCaptcha', answer);
      } finally {
        captchas.stop();
      }
      await clickAndNavigate(page, '#btnLogin', scope);
      if (await page.$(this.selectors.loggedIn)) return;
      throw new LoginFailedError(this.id, await this.loginFailureReason(page));
    });
  }

  probe(page: Page, options: OperationOptions): Promise<ProbeResult> {
    return probeSession(page, this.selectors, { ...options, url: this.url(PATHS.dashboard) });
  }

  fillStep(page: Page, payload: PortalSimPayload, step: string, options: OperationOptions): Promise<void> {
    return runOperation(`${this.id} fill ${step}`, options, async (scope) => {
      switch (step) {
        case 'vehicle':
          this.expectPage(page, 'vehicle', PATHS.vehicle, await this.open(page, PATHS.vehicle, scope));
          await this.fillVehicle(page, payload.vehicle, scope);
          return this.nextStep(page, 'vehicle', PATHS.customer, scope);
        case 'customer':
          this.expectPage(page, 'customer', PATHS.customer, null);
          await setField(page, '#txtFullName', payload.customer.fullName);
          await setField(page, '#txtDateOfBirth', payload.customer.dateOfBirth);
          await setField(page, '#txtMobile', payload.customer.mobile);
          await setField(page, '#txtEmail', payload.customer.email);
          return this.nextStep(page, 'customer', PATHS.quote, scope);
        case 'quote':
          this.expectPage(page, 'quote', PATHS.quote, null);
          await page.waitForSelector('#lblPremium', { timeout: 0, signal: scope.signal });
          return this.nextStep(page, 'quote', PATHS.confirm, scope);
        default:
          throw new UnexpectedPageError(this.id, step, currentPath(page));
      }
    });
  }

  async submit(page: Page, _payload: PortalSimPayload, options: OperationOptions): Promise<SubmitResult> {
    let clicked = false;
    try {
      return await runOperation(`${this.id} submit`, options, async (scope) => {
        // Never click anywhere but on the confirm page: a stray click is not a submission.
        if (currentPath(page) !== PATHS.confirm) throw new UnexpectedPageError(this.id, 'submit', currentPath(page));
        const navigation = page.waitForNavigation({ waitUntil: 'domcontentloaded', timeout: 0, signal: scope.signal });
        navigation.catch(() => undefined);
        clicked = true;
        await page.click('#btnSubmit');
        const response = await navigation;
        const reference = currentPath(page) === PATHS.done ? await page.$eval('#lblReference', (el) => el.textContent?.trim() ?? '').catch(() => '') : '';
        if (!reference) throw new SubmissionInDoubtError(this.id, `no reference after submit (${currentPath(page)}, HTTP ${response?.status() ?? 'none'})`);
        return { reference };
      });
    } catch (error) {
      // Once the click is out, silence is not a "no": the portal may have recorded it.
      if (clicked && (error instanceof TimeoutError || error instanceof AbortedError)) {
        throw new SubmissionInDoubtError(this.id, error.code === 'TIMEOUT' ? 'no answer before the deadline' : 'aborted after the click', error);
      }
      throw error;
    }
  }

  findSubmission(page: Page, businessKey: string, options: OperationOptions): Promise<FindSubmissionResult> {
    return runOperation(`${this.id} find submission`, options, async (scope) => {
      const key = businessKey.trim().toUpperCase();
      const response = await this.open(page, `${PATHS.search}?chassis=${encodeURIComponent(key)}`, scope);
      this.expectPage(page, 'find submission', PATHS.search, response);
      await page.waitForSelector('#tblResults', { timeout: 0, signal: scope.signal });
      const rows = await page.$$eval('tr.result-row[data-reference]', (trs) =>
        trs.map((tr) => ({ reference: tr.getAttribute('data-reference') ?? '', chassis: tr.getAttribute('data-chassis') ?? '' })),
      );
      const match = rows.find((row) => row.reference && row.chassis.toUpperCase() === key);
      return match ? { found: true, reference: match.reference } : { found: false };
    });
  }

  private async fillVehicle(page: Page, vehicle: PortalSimPayload['vehicle'], scope: OperationScope): Promise<void> {
    await setField(page, '#ddlMake', vehicle.make);
    // The model list arrives by XHR; wait until it has loaded, then check the model is offered.
    await page.waitForFunction(
      () => {
        const model = document.querySelector<HTMLSelectElement>('#ddlModel');
        return model !== null && !model.disabled && model.options[0]?.text !== 'Loading...';
      },
      { timeout: 0, signal: scope.signal, polling: 'mutation' },
    );
    const offered = await page.$$eval('#ddlModel option', (options) => options.map((o) => (o as HTMLOptionElement).value));
    if (!offered.includes(vehicle.model)) throw new FormRejectedError(this.id, 'vehicle', { ddlModel: 'model not offered for this make' });
    await setField(page, '#ddlModel', vehicle.model);
    await setField(page, '#txtRegistrationNo', vehicle.registrationNo);
    await setField(page, '#txtChassisNo', vehicle.chassisNo);
  }

  private async nextStep(page: Page, step: Step, nextPath: string, scope: OperationScope): Promise<void> {
    const response = await clickAndNavigate(page, '#btnNext', scope);
    if (response?.status() === 400) {
      const fields = await page.$$eval('.field-error[data-field]', (els) =>
        Object.fromEntries(els.map((el) => [el.getAttribute('data-field') ?? '', el.textContent?.trim() ?? ''])),
      );
      throw new FormRejectedError(this.id, step, fields);
    }
    this.expectPage(page, step, nextPath, response);
  }

  private async open(page: Page, pathAndQuery: string, scope: OperationScope): Promise<HTTPResponse | null> {
    return page.goto(this.url(pathAndQuery), { waitUntil: 'domcontentloaded', timeout: 0, signal: scope.signal });
  }

  /** A redirect to the login page is an expired session; any other surprise is an unexpected page. */
  private expectPage(page: Page, step: string, path: string, response: HTTPResponse | null): void {
    const actual = currentPath(page);
    if (actual.toLowerCase() === PATHS.login.toLowerCase() && path !== PATHS.login) {
      throw new SessionExpiredError(this.id, `redirected to the login page during ${step}`);
    }
    const status = response?.status() ?? 0;
    if (actual.toLowerCase() !== path.toLowerCase() || status >= 400) throw new UnexpectedPageError(this.id, step, actual, status || undefined);
  }

  private async loginFailureReason(page: Page): Promise<'wrong-captcha' | 'rejected' | 'locked' | 'no-session'> {
    if (currentPath(page).toLowerCase() !== PATHS.login.toLowerCase()) return 'no-session';
    const message = await page.$eval('#lblError', (el) => el.textContent ?? '').catch(() => '');
    if (/security code|characters you entered/i.test(message)) return 'wrong-captcha';
    if (/locked/i.test(message)) return 'locked';
    return 'rejected';
  }

  private url(pathAndQuery: string): string {
    return new URL(pathAndQuery, this.origin).toString();
  }
}

/** Records the captcha images the page receives, so the one for a given challenge id can be picked. */
function captchaResponses(page: Page): { of(captchaId: string): Promise<HTTPResponse>; stop(): void } {
  const received = new Map<string, HTTPResponse>();
  const waiting = new Map<string, (response: HTTPResponse) => void>();
  const onResponse = (response: HTTPResponse) => {
    const url = new URL(response.url());
    if (url.pathname !== '/Captcha.ashx') return;
    const id = url.searchParams.get('id') ?? '';
    received.set(id, response);
    waiting.get(id)?.(response);
  };
  page.on('response', onResponse);
  return {
    of: (captchaId) => {
      const already = received.get(captchaId);
      return already ? Promise.resolve(already) : new Promise((resolve) => waiting.set(captchaId, resolve));
    },
    stop: () => void page.off('response', onResponse),
  };
}
