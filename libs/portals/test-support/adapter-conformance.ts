// The adapter conformance suite: what every adapter of the portal simulator promises, run
// against the real simulator and real Chromium. A code adapter and a declarative twin that both
// pass it are interchangeable for the engine: login with the captcha, probing, the steps,
// submitting once, refusals, recovery after an expired session and reconciliation.
import type { BrowserContext, HTTPResponse, Page } from 'puppeteer-core';
import { SessionExpiredError } from '@engine/core';
import { BrowserHost, type ManagedBrowser } from '@engine/browser';
import { startPortalSim, type PortalSim } from '@engine/portal-sim';
import type { CaptchaChallenge, CaptchaSolver, PortalAdapter } from '@portal-engine/adapter-kit';
import { FormRejectedError, LoginFailedError, SubmissionInDoubtError, UnexpectedPageError } from '../src/errors';
import { fillAll } from '../src/fill-all';
import { PortalSimCaptchaSolver } from '../src/portal-sim/portal-sim-captcha-solver';
import { validPayload, withChassis } from './payloads';

const AGENT = { username: 'agent', password: 'Secr3t!pass' };
// Bounds against a hang, not speed checks: a loaded machine takes seconds per navigation.
const op = { timeoutMs: 60_000 };

/** Records every challenge it is given and the answer the simulator holds for it, then answers. */
class RecordingSolver implements CaptchaSolver {
  readonly challenges: Array<CaptchaChallenge & { expectedAnswer?: string }> = [];
  constructor(
    private readonly inner: CaptchaSolver,
    private readonly sim: PortalSim,
  ) {}

  solve(challenge: CaptchaChallenge, options: { signal?: AbortSignal; timeoutMs: number }): Promise<string> {
    // Read now: the simulator forgets a challenge once a login attempt has used it.
    this.challenges.push({ ...challenge, expectedAnswer: challenge.captchaId ? this.sim.captchaAnswer(challenge.captchaId) : undefined });
    return this.inner.solve(challenge, options);
  }
}

/**
 * Registers the suite for one adapter. `makeAdapter` gets the simulator's base URL; each suite
 * starts its own simulator (test hooks on) and Chromium, and each test its own cookie jar.
 * Each test uses its own chassis number (business key), so submissions never collide.
 */
export function describeAdapterConformance(name: string, makeAdapter: (baseUrl: string) => PortalAdapter): void {
  describe(`${name}: adapter conformance (portal simulator, real Chromium)`, () => {
    let sim: PortalSim;
    let host: BrowserHost;
    let browser: ManagedBrowser;
    let adapter: PortalAdapter;
    let solver: CaptchaSolver;
    let context: BrowserContext;
    let page: Page;
    const chassis = (n: number) => `JT2BF22K1W${String(n).padStart(7, '0')}`;

    beforeAll(async () => {
      sim = await startPortalSim({ port: 0, testHooks: true, seed: 7, modelsLatencyMs: 20 });
      host = new BrowserHost();
      browser = await host.launch(op);
      adapter = makeAdapter(sim.url);
      solver = new PortalSimCaptchaSolver(sim.url);
    });

    afterAll(async () => {
      await host?.closeAll();
      await sim?.close();
    });

    beforeEach(async () => {
      sim.faults.reset();
      context = await browser.browser.createBrowserContext();
      page = await context.newPage();
    });

    afterEach(() => context.close());

    it('validates payloads at the edge and derives the upper-cased business key', () => {
      expect(adapter.payloadSchema.safeParse(validPayload).success).toBe(true);
      expect(adapter.payloadSchema.safeParse(withChassis('TOO-SHORT')).success).toBe(false);
      expect(adapter.payloadSchema.safeParse({ ...validPayload, customer: { ...validPayload.customer, email: 'nobody' } }).success).toBe(false);
      expect(adapter.businessKey(validPayload)).toBe('JT2BF22K1W0123456');
    });

    it('logs in, fills every step reporting the stage, submits once and finds the submission again', async () => {
      const payload = withChassis(chassis(1));
      await adapter.login(page, AGENT, solver, op);
      expect(await adapter.probe(page, op)).toMatchObject({ status: 'valid' });

      const stages: string[] = [];
      await fillAll(adapter, page, payload, { ...op, onStage: (step) => stages.push(step) });
      expect(stages).toEqual(adapter.fillSteps);

      const { reference } = await adapter.submit(page, payload, op);
      expect(reference).toMatch(/^PRP-\d{4}-\d{6}$/);
      expect(sim.stats().submissions).toMatchObject({ [chassis(1)]: 1 });

      expect(await adapter.findSubmission(page, adapter.businessKey(payload), op)).toEqual({ found: true, reference });
      expect(await adapter.findSubmission(page, chassis(999), op)).toEqual({ found: false });
    });

    it('gives the solver the exact captcha image the browser received, and the captcha id', async () => {
      const received: Buffer[] = [];
      const reads: Array<Promise<void>> = [];
      page.on('response', (response: HTTPResponse) => {
        if (new URL(response.url()).pathname !== '/Captcha.ashx') return;
        reads.push(response.buffer().then((body) => void received.push(Buffer.from(body))));
      });
      const recording = new RecordingSolver(solver, sim);
      await adapter.login(page, AGENT, recording, op);
      await Promise.all(reads);

      expect(recording.challenges).toHaveLength(1);
      const [challenge] = recording.challenges;
      expect(received).toHaveLength(1);
      expect(challenge.image.equals(received[0])).toBe(true);
      expect(challenge.image.subarray(1, 4).toString()).toBe('PNG');
      expect(challenge.portal).toBe(adapter.id);
      // The id is the challenge the page showed: the simulator holds an answer for it.
      expect(challenge.expectedAnswer).toEqual(expect.any(String));
    });

    it('reports a rejected captcha as CAPTCHA_REJECTED', async () => {
      sim.faults.set({ captchaAlwaysWrong: true });
      await expect(adapter.login(page, AGENT, solver, op)).rejects.toMatchObject({ code: 'CAPTCHA_REJECTED', reason: 'wrong-captcha' });
    });

    it('reports a wrong password as LOGIN_FAILED without the credentials or the captcha answer in the error', async () => {
      const credentials = { username: 'agent', password: 'Wr0ng!pass-xyz' };
      const recording = new RecordingSolver(solver, sim);
      const error = await adapter.login(page, credentials, recording, op).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(LoginFailedError);
      expect(error).toMatchObject({ code: 'LOGIN_FAILED', reason: 'rejected' });
      const answer = recording.challenges[0]?.expectedAnswer as string;
      expect(answer).toEqual(expect.any(String));
      const text = JSON.stringify({ message: (error as LoginFailedError).message, details: (error as LoginFailedError).details });
      for (const secret of ['Wr0ng', 'agent', answer]) expect(text).not.toContain(secret);
    });

    it('turns server-side validation errors into FormRejectedError with the step and the portal field', async () => {
      await adapter.login(page, AGENT, solver, op);
      sim.faults.set({ validationErrorAtStep: 2 });
      const stages: string[] = [];
      const attempt = fillAll(adapter, page, withChassis(chassis(2)), { ...op, onStage: (step) => stages.push(step) });
      await expect(attempt).rejects.toBeInstanceOf(FormRejectedError);
      await expect(attempt).rejects.toMatchObject({ step: 'customer', fields: { txtMobile: expect.any(String) } });
      expect(stages).toEqual(['vehicle', 'customer']);
    });

    it('rejects a model the portal does not offer for the make', async () => {
      await adapter.login(page, AGENT, solver, op);
      const payload = withChassis(chassis(3));
      const wrongModel = { ...payload, vehicle: { ...payload.vehicle, model: 'Civic' } };
      await expect(fillAll(adapter, page, wrongModel, op)).rejects.toMatchObject({ code: 'FORM_REJECTED', step: 'vehicle', fields: { ddlModel: expect.any(String) } });
    });

    it('probes a page that never logged in as login-form', async () => {
      expect((await adapter.probe(page, op)).status).toBe('login-form');
    });

    it('recovers from an expired session: the probe says login-form, and logging in again on the same page works', async () => {
      await adapter.login(page, AGENT, solver, op);
      sim.killSessions();
      expect(await adapter.probe(page, op)).toMatchObject({ status: 'login-form' });

      await adapter.login(page, AGENT, solver, op);
      expect((await adapter.probe(page, op)).status).toBe('valid');
      await fillAll(adapter, page, withChassis(chassis(4)), op);
      expect(new URL(page.url()).pathname).toBe('/Proposal/Confirm.aspx');
    });

    it('throws SessionExpiredError when the first step is sent to the login page', async () => {
      await adapter.login(page, AGENT, solver, op);
      sim.killSessions();
      await expect(fillAll(adapter, page, withChassis(chassis(10)), op)).rejects.toBeInstanceOf(SessionExpiredError);
    });

    it('throws SessionExpiredError when a step is redirected to the login page midway', async () => {
      const payload = withChassis(chassis(5));
      await adapter.login(page, AGENT, solver, op);
      await adapter.fillStep(page, payload, adapter.fillSteps[0], op);
      sim.killSessions();
      await expect(adapter.fillStep(page, payload, adapter.fillSteps[1], op)).rejects.toBeInstanceOf(SessionExpiredError);
    });

    it('treats an error page after the click as in doubt, and reconciliation finds the recorded submission', async () => {
      const payload = withChassis(chassis(6));
      await adapter.login(page, AGENT, solver, op);
      await fillAll(adapter, page, payload, op);
      sim.faults.set({ duplicateTrap: 'error' });
      await expect(adapter.submit(page, payload, op)).rejects.toBeInstanceOf(SubmissionInDoubtError);
      sim.faults.reset();
      expect(await adapter.findSubmission(page, adapter.businessKey(payload), op)).toEqual({ found: true, reference: expect.stringMatching(/^PRP-/) });
      expect(sim.stats().submissions[chassis(6)]).toBe(1);
    });

    it('treats a submit whose answer never comes as in doubt when the caller aborts after the click', async () => {
      const payload = withChassis(chassis(7));
      await adapter.login(page, AGENT, solver, op);
      await fillAll(adapter, page, payload, op);
      sim.faults.set({ duplicateTrap: 'hang' });
      const caller = new AbortController();
      // The submission's POST leaving the browser is the moment the click is out.
      page.on('request', (request) => {
        if (request.method() === 'POST' && new URL(request.url()).pathname === '/Proposal/Confirm.aspx') caller.abort();
      });
      await expect(adapter.submit(page, payload, { ...op, signal: caller.signal })).rejects.toMatchObject({ code: 'SUBMISSION_IN_DOUBT', cause: { code: 'ABORTED' } });
    });

    it('treats a submit whose answer never comes as in doubt once the deadline passes', async () => {
      const payload = withChassis(chassis(8));
      await adapter.login(page, AGENT, solver, op);
      await fillAll(adapter, page, payload, op);
      sim.faults.set({ duplicateTrap: 'hang' });
      // Long enough for the click on a loaded machine; the portal never answers, so it always expires.
      await expect(adapter.submit(page, payload, { timeoutMs: 15_000 })).rejects.toMatchObject({ code: 'SUBMISSION_IN_DOUBT', cause: { code: 'TIMEOUT' } });
    });

    it('never clicks submit anywhere but on the confirm page', async () => {
      await adapter.login(page, AGENT, solver, op);
      const before = sim.stats().submissions;
      await expect(adapter.submit(page, withChassis(chassis(9)), op)).rejects.toBeInstanceOf(UnexpectedPageError);
      expect(sim.stats().submissions).toEqual(before);
    });
  });
}
