// One test per injectable fault, each showing its effect on a real headless Chromium:
// latency, 5xx, session kill (one user, all), wrong captcha, a form error at step N, the
// duplicate trap (error page and hang), and the lockout.
import { TimeoutError, type BrowserContext } from 'puppeteer-core';
import { startPortalSim, type PortalSim } from '../src';
import { clickAndWait, fillCustomer, fillToConfirm, fillVehicle, hook, login, newLoggedInPage, resetFaults, searchReferences, setFaults, text } from './browser-steps';
import { launchChromium, type LaunchedChromium } from './chromium';
import { newChassisNo } from './proposal-data';

const USERS = [
  { username: 'agent', password: 'Secr3t!pass' },
  { username: 'clerk', password: 'An0ther!pass' },
];

let chromium: LaunchedChromium;
let sim: PortalSim;
let context: BrowserContext;

beforeAll(async () => {
  sim = await startPortalSim({ testHooks: true, seed: 4, users: USERS, modelsLatencyMs: 20 });
  chromium = await launchChromium();
});

afterAll(async () => {
  await chromium?.dispose();
  await sim?.close();
});

beforeEach(async () => {
  context = await chromium.browser.createBrowserContext();
});

afterEach(async () => {
  await resetFaults(sim);
  await context.close();
  sim.killSessions();
});

it('latency: delays the matching route by at least the configured time, so a short client timeout fires', async () => {
  const page = await newLoggedInPage(context, sim);
  await setFaults(sim, { latency: { '/Dashboard.aspx': { ms: 700, jitterMs: 100 } } });
  const startedAt = performance.now();
  const response = await page.goto(`${sim.url}/Dashboard.aspx`);
  expect(response?.status()).toBe(200);
  expect(performance.now() - startedAt).toBeGreaterThanOrEqual(700);
  await expect(page.goto(`${sim.url}/Dashboard.aspx`, { timeout: 200 })).rejects.toBeInstanceOf(TimeoutError);
});

it('5xx rate: a route failing at rate 1 shows the server error page while others still work', async () => {
  const page = await newLoggedInPage(context, sim);
  await setFaults(sim, { errorRate: { '/Proposal': 1 } });
  const failed = await page.goto(`${sim.url}/Proposal/Vehicle.aspx`);
  expect(failed?.status()).toBe(500);
  expect(await text(page, '#serverError')).toMatch(/Server Error/);
  expect((await page.goto(`${sim.url}/Dashboard.aspx`))?.status()).toBe(200);
  await setFaults(sim, { errorRate: { '/Proposal': 0.5 } });
  const statuses = await page.evaluate(async () => {
    const results: number[] = [];
    for (let i = 0; i < 30; i++) results.push((await fetch('/Proposal/Vehicle.aspx')).status);
    return results;
  });
  expect(new Set(statuses)).toEqual(new Set([200, 500]));
});

it('session kill of one user: that user is sent to the login page, the other stays in', async () => {
  const agent = await newLoggedInPage(context, sim, 'agent', 'Secr3t!pass');
  const clerkContext = await chromium.browser.createBrowserContext();
  try {
    const clerk = await newLoggedInPage(clerkContext, sim, 'clerk', 'An0ther!pass');
    expect(await hook(sim, '/__test/sessions/kill', { username: 'agent' })).toEqual({ killed: 1 });
    await agent.reload();
    expect(agent.url()).toContain('/Login.aspx?ReturnUrl=');
    await clerk.reload();
    expect(clerk.url()).toBe(`${sim.url}/Dashboard.aspx`);
  } finally {
    await clerkContext.close();
  }
});

it('session kill of all: every user is sent to the login page, mid-form included', async () => {
  const agent = await newLoggedInPage(context, sim, 'agent', 'Secr3t!pass');
  const clerkContext = await chromium.browser.createBrowserContext();
  try {
    const clerk = await newLoggedInPage(clerkContext, sim, 'clerk', 'An0ther!pass');
    await fillVehicle(agent, newChassisNo());
    expect(await hook(sim, '/__test/sessions/kill', {})).toEqual({ killed: 2 });
    await clickAndWait(agent, '#btnNext');
    expect(agent.url()).toContain('/Login.aspx?ReturnUrl=');
    await clerk.reload();
    expect(clerk.url()).toContain('/Login.aspx?ReturnUrl=');
    expect(sim.stats().activeSessions).toBe(0);
  } finally {
    await clerkContext.close();
  }
});

it('captcha always wrong: the right answer is refused until the fault is cleared', async () => {
  const page = await context.newPage();
  const failedBefore = sim.stats().failedLogins;
  await setFaults(sim, { captchaAlwaysWrong: true });
  const refused = await login(page, sim);
  expect(refused?.status()).toBe(200);
  expect(page.url()).toContain('/Login.aspx');
  expect(await text(page, '#lblError')).toMatch(/did not match/);
  expect(sim.stats().failedLogins).toBe(failedBefore + 1);
  await resetFaults(sim);
  await login(page, sim);
  expect(page.url()).toBe(`${sim.url}/Dashboard.aspx`);
});

it('validation error at step N: each step answers 400 with a field error, and passes once cleared', async () => {
  const page = await newLoggedInPage(context, sim);
  const expectInjectedError = async (step: 1 | 2 | 3, field: string, path: string) => {
    await setFaults(sim, { validationErrorAtStep: step });
    const rejected = await clickAndWait(page, '#btnNext');
    expect(rejected?.status()).toBe(400);
    expect(page.url()).toContain(path);
    expect(await text(page, `.field-error[data-field="${field}"]`)).toMatch(/verified|expired/);
    await resetFaults(sim);
  };

  await fillVehicle(page, newChassisNo());
  await expectInjectedError(1, 'txtRegistrationNo', '/Proposal/Vehicle.aspx');
  await clickAndWait(page, '#btnNext');
  await fillCustomer(page);
  await expectInjectedError(2, 'txtMobile', '/Proposal/Customer.aspx');
  await clickAndWait(page, '#btnNext');
  await expectInjectedError(3, 'premium', '/Proposal/Quote.aspx');
  await clickAndWait(page, '#btnNext');
  expect(page.url()).toContain('/Proposal/Confirm.aspx');
});

it("duplicate trap 'error': the submission is recorded, the browser sees a 500, the search finds it", async () => {
  const page = await newLoggedInPage(context, sim);
  const chassisNo = newChassisNo();
  await fillToConfirm(page, chassisNo);
  await setFaults(sim, { duplicateTrap: 'error' });
  const response = await clickAndWait(page, '#btnSubmit');
  expect(response?.status()).toBe(500);
  expect(await text(page, '#serverError')).toMatch(/Server Error/);
  expect(sim.stats().submissions[chassisNo]).toBe(1);
  const references = await searchReferences(page, sim, chassisNo);
  expect(references).toHaveLength(1);
  expect(references[0]).toMatch(/^PRP-\d{4}-\d{6}$/);
});

it("duplicate trap 'hang': the submission is recorded, the browser times out, the search finds it", async () => {
  const page = await newLoggedInPage(context, sim);
  const chassisNo = newChassisNo();
  await fillToConfirm(page, chassisNo);
  await setFaults(sim, { duplicateTrap: 'hang' });
  await expect(clickAndWait(page, '#btnSubmit', 1500)).rejects.toBeInstanceOf(TimeoutError);
  expect(sim.stats().submissions[chassisNo]).toBe(1);
  const lookup = await context.newPage();
  expect(await searchReferences(lookup, sim, chassisNo)).toHaveLength(1);
});

it('lockout: after N wrong passwords even the right one is refused until lockoutMs has passed', async () => {
  let offsetMs = 0;
  const strict = await startPortalSim({ testHooks: true, lockoutAfter: 3, lockoutMs: 60_000, now: () => Date.now() + offsetMs });
  try {
    const page = await context.newPage();
    await page.goto(`${strict.url}/Login.aspx`);
    for (let i = 0; i < 3; i++) {
      await login(page, strict, 'agent', `wrong-${i}`);
      expect(page.url()).toContain('/Login.aspx');
    }
    expect(await text(page, '#lblError')).toMatch(/locked/);
    await login(page, strict);
    expect(page.url()).toContain('/Login.aspx');
    expect(await text(page, '#lblError')).toMatch(/locked/);
    offsetMs = 60_000;
    await login(page, strict);
    expect(page.url()).toBe(`${strict.url}/Dashboard.aspx`);
  } finally {
    await strict.close();
  }
});
