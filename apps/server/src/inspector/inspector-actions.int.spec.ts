// Operator actions from the inspector page, in real headless Chromium against the real server
// in-process, the portal simulator and a real master session (its own Chromium) with the manual
// captcha solver: the captcha is answered from the page (the image shown, the answer typed), a
// forced recovery asks a new challenge and the page shows it from the live feed, the portal's
// queue is paused (a job stays pending, another is cancelled from the page) and resumed (the job
// runs), a failed job is retried and a needs_review job resubmitted after the confirmation step.
// Each button is enabled only when the machine accepts the action, otherwise disabled with its
// reason. Every action is recorded naming the inspector. Screenshots go to
// test-output/inspector-actions. Waits listen to the page or the read feed, with ceilings.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'puppeteer-core';
import { MemorySecretProvider } from '@engine/core';
import { PortalSimAdapter, PortalSimCaptchaSolver, sampleProposal } from '@engine/portals';
import { startPortalSim, type PortalSim } from '@engine/portal-sim';
import { appendJobHistory, JOB_ENDINGS } from './testing/job-history';
import { launchChromium, signInToInspector, type HeadlessChromium } from './testing/headless-chromium';
import { startInspectorTestServer, type InspectorTestServer } from './testing/inspector-test-server';

const OUTPUT = join(process.cwd(), 'test-output', 'inspector-actions');
const WAIT = { timeout: 60_000 };
const CEILING_MS = 120_000;
const PORTAL = 'portal-sim';
const MASTER = `master-${PORTAL}`;
jest.setTimeout(300_000);

let sim: PortalSim;
let server: InspectorTestServer;
let chromium: HeadlessChromium;
let page: Page;

beforeAll(async () => {
  mkdirSync(OUTPUT, { recursive: true });
  sim = await startPortalSim({ testHooks: true, seed: 316 });
  server = await startInspectorTestServer({
    engine: {
      portals: [new PortalSimAdapter({ baseUrl: sim.url })],
      secrets: new MemorySecretProvider().set('secret://portal-sim/login', { username: 'agent', password: 'Secr3t!pass' }),
      credentials: { [PORTAL]: 'secret://portal-sim/login' },
      concurrency: 2,
      job: { retryDelayMs: 500 },
    },
  });
  chromium = await launchChromium();
  page = await chromium.browser.newPage();
  await signInToInspector(page, server.url, server.token, WAIT.timeout);
  await page.waitForSelector('#list-view:not([hidden])', WAIT);
});

afterAll(async () => {
  await chromium?.close();
  await server?.close();
  await sim?.close();
});

const engine = () => server.engine;
const text = (selector: string) => page.$eval(selector, (el) => el.textContent ?? '');
const button = (action: string) => `#actions-panel [data-action="${action}"]`;
/** Whether the action's button is enabled, or the reason it shows when it is not. */
const buttonState = (action: string) => page.$eval(button(action), (el) => ((el as HTMLButtonElement).disabled ? (el as HTMLElement).title : 'enabled'));
const waitForButton = (action: string, enabled: boolean) =>
  page.waitForFunction((sel, on) => {
    const el = document.querySelector(sel) as HTMLButtonElement | null;
    // An enabled button must be in sight; a disabled one may be hidden with its section.
    return el !== null && el.disabled === !on && (!on || !el.closest('[hidden]'));
  }, WAIT, button(action), enabled);
/** A disabled button's reason arrives with the next refresh of the allowed actions: wait for it, never read it once. */
const waitForReason = (action: string, reason: string) =>
  page.waitForFunction(
    (sel, text) => {
      const el = document.querySelector(sel) as HTMLButtonElement | null;
      return el !== null && el.disabled && el.title.startsWith(text);
    },
    WAIT,
    button(action),
    reason,
  );
const waitForState = (pattern: string) => page.waitForFunction((p) => new RegExp(p).test(document.querySelector('#current-state')?.textContent ?? ''), WAIT, pattern);

async function openStream(stream: string): Promise<void> {
  await page.goto(`${server.url}/inspector#/stream/${stream}`, { waitUntil: 'domcontentloaded' });
  await page.waitForFunction((s) => document.querySelector('#stream-name')?.textContent === s && document.querySelector('#live-status')?.textContent === 'live', WAIT, stream);
  await page.waitForFunction(() => !document.querySelector('#actions-panel')?.hasAttribute('hidden') && document.querySelector('#actions-panel [data-action]:not([disabled])') !== null, WAIT);
}

/** Waits until the master session waits on an open challenge other than `not`; its id. */
async function openChallenge(not: string | null): Promise<string> {
  const entry = await engine().feed.waitFor(
    MASTER,
    (e) => {
      const captcha = (e?.state?.context as { captcha?: { challengeId: string } | null } | undefined)?.captcha;
      return !!captcha && captcha.challengeId !== not && engine().manualCaptcha.pending().some((p) => p.id === captcha.challengeId);
    },
    { timeoutMs: CEILING_MS },
  );
  return (entry!.state!.context as { captcha: { challengeId: string } }).captcha.challengeId;
}

/** What an operator reading the image would type (the simulator's test hook knows it). */
async function answerFor(challengeId: string): Promise<string> {
  const pending = engine().manualCaptcha.pending().find((c) => c.id === challengeId);
  if (!pending) throw new Error(`challenge ${challengeId} is not pending`);
  return new PortalSimCaptchaSolver(sim.url).solve(pending, { timeoutMs: 30_000 });
}

/** Shows challenge `id`'s image on the page, types the answer and sends it. */
async function answerFromPage(id: string, screenshot: string): Promise<void> {
  await page.waitForFunction(
    (challenge) => {
      const form = document.querySelector('#captcha-form') as HTMLFormElement;
      const img = document.querySelector('#captcha-image') as HTMLImageElement;
      return !form.hidden && form.dataset.challenge === challenge && img.complete && img.naturalWidth > 0;
    },
    WAIT,
    id,
  );
  expect(await buttonState('answerCaptcha')).toBe('enabled');
  await page.type('#captcha-answer', await answerFor(id));
  await page.screenshot({ path: join(OUTPUT, screenshot), fullPage: true });
  await page.click(button('answerCaptcha'));
}

/** The latest event of the type in the stream, waiting for one to be recorded (a click's request is still on its way when page.click returns). */
const lastEvent = async (stream: string, type: string) => {
  const deadline = Date.now() + CEILING_MS;
  for (;;) {
    const found = [...(await engine().store.read(stream))].reverse().find((e) => e.type === type);
    if (found || Date.now() > deadline) return found;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
};

describe('inspector actions in Chromium', () => {
  let firstChallenge: string;

  it('shows the open captcha in the master session’s view and answers it from the page: the session logs in', async () => {
    firstChallenge = await openChallenge(null);
    await openStream(MASTER);
    await waitForState('awaitingCaptcha');
    await answerFromPage(firstChallenge, 'captcha.png');
    await waitForState('^ready$');
    await waitForButton('answerCaptcha', false);
    expect(await page.$eval('#captcha-form', (el) => (el as HTMLElement).hidden)).toBe(true);
    await waitForReason('answerCaptcha', 'the session is not waiting on a captcha');
    expect(await buttonState('answerCaptcha')).toBe('the session is not waiting on a captcha');
    const answered = await lastEvent(MASTER, 'CAPTCHA_ANSWERED');
    expect(answered?.data).toEqual({ challengeId: firstChallenge, by: 'inspector' });
    await page.screenshot({ path: join(OUTPUT, 'captcha-answered.png'), fullPage: true });
  });

  it('pauses the portal’s queue: a job stays pending, another is cancelled from its view; resuming runs the pending one', async () => {
    await openStream(MASTER);
    await waitForButton('pause', true);
    expect(await buttonState('resume')).toBe('the queue of portal portal-sim is not paused');
    await page.type('#queue-reason', 'portal maintenance');
    await page.click(button('pause'));
    await page.waitForFunction(() => document.querySelector('#queue-state')?.getAttribute('data-state') === 'paused', WAIT);
    await waitForButton('resume', true);
    expect(await buttonState('pause')).toMatch(/^the queue of portal portal-sim is already paused \(by inspector since /);
    expect(await text('#queue-state')).toContain('portal maintenance');
    expect((await lastEvent(`queue-${PORTAL}`, 'PAUSE'))?.data).toMatchObject({ by: 'inspector', reason: 'portal maintenance' });
    await page.screenshot({ path: join(OUTPUT, 'queue-paused.png'), fullPage: true });

    const held = await engine().jobs.submit({ portal: PORTAL, payload: sampleProposal(1, 'paused'), idempotencyKey: 'actions-held' });
    const doomed = await engine().jobs.submit({ portal: PORTAL, payload: sampleProposal(2, 'paused'), idempotencyKey: 'actions-doomed' });
    await engine().host.idle();
    // The session is ready and slots are free: only the pause holds them.
    expect(engine().scheduler.status()).toMatchObject({ inFlight: 0, queued: 2, paused: [PORTAL], halted: [] });
    expect(engine().jobs.get(held.jobId).state).toBe('pending');

    await openStream(`job-${doomed.jobId}`);
    await waitForButton('cancel', true);
    expect(await buttonState('retry')).toMatch(/^a retry is only safe for a failed job/);
    expect(await buttonState('resubmit')).toMatch(/^a retry is only safe for a failed job/);
    await page.click(button('cancel'));
    await waitForState('^cancelled$');
    await waitForButton('retry', false);
    await page.waitForFunction((sel) => (document.querySelector(sel) as HTMLElement).title === 'job is already cancelled', WAIT, button('cancel'));
    expect((await lastEvent(`job-${doomed.jobId}`, 'CANCEL'))?.data).toMatchObject({ by: 'inspector' });
    await page.screenshot({ path: join(OUTPUT, 'job-cancelled.png'), fullPage: true });
    expect(engine().jobs.get(held.jobId).state).toBe('pending');

    await openStream(MASTER);
    await waitForButton('resume', true);
    await page.click(button('resume'));
    await page.waitForFunction(() => document.querySelector('#queue-state')?.getAttribute('data-state') === 'running', WAIT);
    await waitForButton('pause', true);
    expect((await lastEvent(`queue-${PORTAL}`, 'RESUME'))?.data).toMatchObject({ by: 'inspector' });
    await engine().feed.waitFor(`job-${held.jobId}`, (e) => e?.state?.value === 'submitted', { timeoutMs: CEILING_MS });
    expect(engine().jobs.get(doomed.jobId).state).toBe('cancelled');
    await page.screenshot({ path: join(OUTPUT, 'queue-resumed.png'), fullPage: true });
  });

  it('forces a soft recovery from the page; the new challenge it asks appears from the live feed and is answered', async () => {
    await openStream(MASTER);
    await waitForButton('recover.soft', true);
    expect(await buttonState('recover.hard')).toBe('enabled');
    expect(await buttonState('recover.nuclear')).toBe('enabled');
    await page.click(button('recover.soft'));
    expect((await lastEvent(MASTER, 'RECOVERY_REQUESTED'))?.data).toMatchObject({ level: 'soft', by: 'inspector' });
    const second = await openChallenge(firstChallenge);
    await waitForState('^recovering\\.soft');
    await answerFromPage(second, 'recovery-captcha.png');
    await waitForState('^ready$');
    expect((await lastEvent(MASTER, 'CAPTCHA_ANSWERED'))?.data).toEqual({ challengeId: second, by: 'inspector' });
    await page.screenshot({ path: join(OUTPUT, 'recovered.png'), fullPage: true });
  });

  it('retries a failed job from its view: a new job, linked to it, runs to submitted', async () => {
    await appendJobHistory(engine(), 'failed1', JOB_ENDINGS.failed());
    await openStream('job-failed1');
    await waitForButton('retry', true);
    expect(await buttonState('cancel')).toBe('job is already failed');
    expect(await buttonState('resubmit')).toBe('the portal cannot hold this job: retry it, no check needed');
    await page.click(button('retry'));
    await page.waitForSelector('#action-result a', WAIT);
    const newJob = (await page.$eval('#action-result a', (a) => a.textContent)) as string;
    await waitForButton('retry', false);
    await waitForReason('retry', `already started over as job ${newJob}`);
    expect(await buttonState('retry')).toBe(`already started over as job ${newJob}`);
    expect(engine().jobs.get(newJob).retryOf).toEqual({ jobId: 'failed1', by: 'inspector', confirmedNotSubmitted: false });
    await page.screenshot({ path: join(OUTPUT, 'job-retried.png'), fullPage: true });
    await engine().feed.waitFor(`job-${newJob}`, (e) => e?.state?.value === 'submitted', { timeoutMs: CEILING_MS });
    expect(engine().jobs.get('failed1').state).toBe('failed');
  });

  it('resubmits a needs_review job only after the confirmation that the portal holds no submission', async () => {
    await appendJobHistory(engine(), 'review1', JOB_ENDINGS.needsReview());
    await openStream('job-review1');
    await waitForButton('resubmit', true);
    await waitForReason('retry', 'nobody could tell whether the portal holds this submission');
    expect(await buttonState('retry')).toMatch(/^nobody could tell whether the portal holds this submission/);
    await page.click(button('resubmit'));
    await page.waitForSelector('#resubmit-confirm:not([hidden])', WAIT);
    expect(await page.$eval('#resubmit-go', (el) => (el as HTMLButtonElement).disabled)).toBe(true);
    await page.click('#resubmit-checked');
    expect(await page.$eval('#resubmit-go', (el) => (el as HTMLButtonElement).disabled)).toBe(false);
    await page.screenshot({ path: join(OUTPUT, 'resubmit-confirm.png'), fullPage: true });
    await page.click('#resubmit-go');
    await page.waitForSelector('#action-result a', WAIT);
    const newJob = (await page.$eval('#action-result a', (a) => a.textContent)) as string;
    await waitForButton('resubmit', false);
    await waitForReason('resubmit', `already started over as job ${newJob}`);
    expect(await buttonState('resubmit')).toBe(`already started over as job ${newJob}`);
    expect(await page.$eval('#resubmit-confirm', (el) => (el as HTMLElement).hidden)).toBe(true);
    const [started] = await engine().store.read(`job-${newJob}`);
    expect(started.data).toMatchObject({ input: { retryOf: { jobId: 'review1', by: 'inspector', confirmedNotSubmitted: true } } });
    expect(engine().jobs.get('review1').state).toBe('needs_review');
    await page.screenshot({ path: join(OUTPUT, 'job-resubmitted.png'), fullPage: true });
  });

  it('never writes a captcha answer into the log', async () => {
    const events = await engine().store.read(MASTER);
    for (const event of events.filter((e) => e.type === 'CAPTCHA_ANSWERED')) expect(Object.keys(event.data as object).sort()).toEqual(['by', 'challengeId']);
  });
});
