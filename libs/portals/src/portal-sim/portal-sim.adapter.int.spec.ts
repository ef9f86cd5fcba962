import type { BrowserContext, Page } from 'puppeteer-core';
import { SessionExpiredError } from '@engine/core';
import { BrowserHost, type ManagedBrowser } from '@engine/browser';
import { startPortalSim, type PortalSim } from '@engine/portal-sim';
import { FormRejectedError, LoginFailedError, SubmissionInDoubtError, UnexpectedPageError } from '../errors';
import { fillAll } from '../fill-all';
import { ManualCaptchaSolver } from '../manual-captcha-solver';
import { PortalSimCaptchaSolver } from './portal-sim-captcha-solver';
import { PortalSimAdapter } from './portal-sim.adapter';
import { withChassis } from '../../test-support/payloads';

// Real Chromium and the real simulator (jest's per-project testTimeout is not applied).
jest.setTimeout(240_000);

const AGENT = { username: 'agent', password: 'Secr3t!pass' };
const op = { timeoutMs: 60_000 };

describe('PortalSimAdapter against the portal simulator (real Chromium)', () => {
  let sim: PortalSim;
  let host: BrowserHost;
  let browser: ManagedBrowser;
  let adapter: PortalSimAdapter;
  let solver: PortalSimCaptchaSolver;
  let context: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    sim = await startPortalSim({ port: 0, testHooks: true, seed: 7, modelsLatencyMs: 20 });
    host = new BrowserHost();
    browser = await host.launch(op);
    adapter = new PortalSimAdapter({ baseUrl: sim.url });
    solver = new PortalSimCaptchaSolver(sim.url);
  });

  afterAll(async () => {
    await host.closeAll();
    await sim.close();
  });

  // Each test gets its own cookie jar, so one test's login or kill never leaks into the next.
  beforeEach(async () => {
    sim.faults.reset();
    context = await browser.browser.createBrowserContext();
    page = await context.newPage();
  });

  afterEach(() => context.close());

  it('logs in, fills every step reporting the stage, submits once and finds the submission again', async () => {
    const payload = withChassis('JT2BF22K1W0000001');
    await adapter.login(page, AGENT, solver, op);
    expect(await adapter.probe(page, op)).toMatchObject({ status: 'valid', evidence: { detail: '#divMainMotors' } });

    const stages: string[] = [];
    await fillAll(adapter, page, payload, { ...op, onStage: (step) => stages.push(step) });
    expect(stages).toEqual(adapter.fillSteps);

    const { reference } = await adapter.submit(page, payload, op);
    expect(reference).toMatch(/^PRP-\d{4}-\d{6}$/);
    expect(sim.stats().submissions).toEqual({ JT2BF22K1W0000001: 1 });

    const key = adapter.businessKey(payload);
    expect(await adapter.findSubmission(page, key, op)).toEqual({ found: true, reference });
    expect(await adapter.findSubmission(page, 'JT2BF22K1W0999999', op)).toEqual({ found: false });
  });

  it('logs in through the manual solver once an operator answers the pending captcha', async () => {
    const manual = new ManualCaptchaSolver();
    manual.onPending((challenge) => {
      expect(challenge.image.subarray(1, 4).toString()).toBe('PNG');
      manual.answer(challenge.id, sim.captchaAnswer(challenge.captchaId as string) as string);
    });
    await adapter.login(page, AGENT, manual, op);
    expect((await adapter.probe(page, op)).status).toBe('valid');
  });

  it('reports a wrong password as LOGIN_FAILED without the credentials in the error', async () => {
    const credentials = { username: 'agent', password: 'Wr0ng!pass-xyz' };
    const attempt = adapter.login(page, credentials, solver, op);
    await expect(attempt).rejects.toMatchObject({ code: 'LOGIN_FAILED', reason: 'rejected' });
    const error = (await attempt.catch((e: unknown) => e)) as LoginFailedError;
    expect(JSON.stringify({ message: error.message, details: error.details })).not.toMatch(/Wr0ng|agent/);
  });

  it('reports a rejected captcha as CAPTCHA_REJECTED', async () => {
    sim.faults.set({ captchaAlwaysWrong: true });
    await expect(adapter.login(page, AGENT, solver, op)).rejects.toMatchObject({ code: 'CAPTCHA_REJECTED', reason: 'wrong-captcha' });
  });

  it('turns server-side validation errors into FormRejectedError with the step and the portal field', async () => {
    await adapter.login(page, AGENT, solver, op);
    sim.faults.set({ validationErrorAtStep: 2 });
    const stages: string[] = [];
    const attempt = fillAll(adapter, page, withChassis('JT2BF22K1W0000002'), { ...op, onStage: (step) => stages.push(step) });
    await expect(attempt).rejects.toBeInstanceOf(FormRejectedError);
    await expect(attempt).rejects.toMatchObject({ step: 'customer', fields: { txtMobile: expect.any(String) } });
    expect(stages).toEqual(['vehicle', 'customer']);
  });

  it('rejects a model the portal does not offer for the make', async () => {
    await adapter.login(page, AGENT, solver, op);
    const payload = withChassis('JT2BF22K1W0000003');
    const wrongModel = { ...payload, vehicle: { ...payload.vehicle, model: 'Civic' } };
    await expect(fillAll(adapter, page, wrongModel, op)).rejects.toMatchObject({ code: 'FORM_REJECTED', step: 'vehicle', fields: { ddlModel: expect.any(String) } });
  });

  it('sees a session killed on the server: the probe says login-form and fill fails as SessionExpiredError', async () => {
    await adapter.login(page, AGENT, solver, op);
    sim.killSessions();
    expect(await adapter.probe(page, op)).toMatchObject({ status: 'login-form', evidence: { kind: 'url', detail: '/Login.aspx' } });
    await expect(fillAll(adapter, page, withChassis('JT2BF22K1W0000004'), op)).rejects.toBeInstanceOf(SessionExpiredError);
  });

  it('treats an error page after the click as in doubt, and reconciliation finds the recorded submission', async () => {
    const payload = withChassis('JT2BF22K1W0000005');
    await adapter.login(page, AGENT, solver, op);
    await fillAll(adapter, page, payload, op);
    sim.faults.set({ duplicateTrap: 'error' });
    await expect(adapter.submit(page, payload, op)).rejects.toBeInstanceOf(SubmissionInDoubtError);
    sim.faults.reset();
    const found = await adapter.findSubmission(page, adapter.businessKey(payload), op);
    expect(found).toEqual({ found: true, reference: expect.stringMatching(/^PRP-/) });
    expect(sim.stats().submissions.JT2BF22K1W0000005).toBe(1);
  });

  it('treats a portal that never answers the submit as in doubt once the deadline passes', async () => {
    const payload = withChassis('JT2BF22K1W0000006');
    await adapter.login(page, AGENT, solver, op);
    await fillAll(adapter, page, payload, op);
    sim.faults.set({ duplicateTrap: 'hang' });
    await expect(adapter.submit(page, payload, { timeoutMs: 1000 })).rejects.toMatchObject({ code: 'SUBMISSION_IN_DOUBT', cause: { code: 'TIMEOUT' } });
  });

  it('never clicks submit anywhere but on the confirm page', async () => {
    await adapter.login(page, AGENT, solver, op);
    const before = sim.stats().submissions;
    await expect(adapter.submit(page, withChassis('JT2BF22K1W0000007'), op)).rejects.toBeInstanceOf(UnexpectedPageError);
    expect(sim.stats().submissions).toEqual(before);
  });
});
