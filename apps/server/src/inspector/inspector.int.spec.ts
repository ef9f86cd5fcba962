// The inspector in real headless Chromium against the real server in-process (memory store,
// real machines, fake effect handlers released one at a time by the test): the page asks for
// the token, lists the streams, follows a job live until it is submitted, travels back in
// time, and shows a failure screenshot. A screenshot of each view goes to test-output/inspector.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'puppeteer-core';
import { stepEvent, stepStart, type EngineEvent, type NewEvent, type StepResult } from '@engine/core';
import { ENGINE_MACHINES } from '@engine/machines';
import { jobInput } from '@engine/machines/testing';
import { MASTER_SESSION_MACHINE } from '@engine/machines';
import { gatedJobEffects, type GatedJobEffects } from './testing/gated-job-effects';
import { launchChromium, signInToInspector, type HeadlessChromium } from './testing/headless-chromium';
import { masterSessionWithRecovery } from './testing/master-session-history';
import { startInspectorTestServer, type InspectorTestServer } from './testing/inspector-test-server';

const OUTPUT = join(process.cwd(), 'test-output', 'inspector');
const WAIT = { timeout: 15_000 };
// testTimeout in a jest project entry is not applied: browser tests need their own.
jest.setTimeout(60_000);

let server: InspectorTestServer;
let chromium: HeadlessChromium;
let effects: GatedJobEffects;
let page: Page;

beforeAll(async () => {
  mkdirSync(OUTPUT, { recursive: true });
  server = await startInspectorTestServer({
    machines: [...ENGINE_MACHINES.filter((m) => m.id !== MASTER_SESSION_MACHINE.id), MASTER_SESSION_MACHINE],
    effects: (artifactsDir) => {
      effects = gatedJobEffects(artifactsDir, { gated: (jobId) => jobId === 'live', submit: (jobId) => (jobId === 'broken' ? 'error' : 'ok') });
      return effects.registry;
    },
  });
  chromium = await launchChromium();
  page = await chromium.browser.newPage();
});

afterAll(async () => {
  await chromium?.close();
  await server?.close();
});

async function signIn(): Promise<void> {
  await signInToInspector(page, server.url, server.token, WAIT.timeout);
}

const text = (selector: string) => page.$eval(selector, (el) => el.textContent ?? '');
const bannerDisplay = () => page.$eval('#travel-banner', (el) => getComputedStyle(el).display);

describe('inspector in Chromium', () => {
  it('asks for the token, then lists the streams with their state', async () => {
    await server.engine.host.create('job', 'live', { ...jobInput, jobId: 'live', businessKey: 'BK-live', steps: ['applicant', 'details'] });
    await server.engine.host.create('job', 'other', { ...jobInput, jobId: 'other', businessKey: 'BK-other', steps: [] });
    await signIn();
    await page.waitForSelector('tr[data-stream="job-live"]', WAIT);
    expect(await text('tr[data-stream="job-live"] .state')).toBe('pending');
    expect(await text('#list-summary')).toContain('2 matching streams');
    // The token stays out of the address bar and out of the page's markup.
    expect(page.url()).not.toContain(server.token);
    expect(await page.content()).not.toContain(server.token);
    await page.screenshot({ path: join(OUTPUT, 'list.png'), fullPage: true });
  });

  it('shows a stream created while the list is open, without a reload', async () => {
    await page.evaluate(() => ((window as unknown as { marker: number }).marker = 7));
    await server.engine.host.create('job', 'late', { ...jobInput, jobId: 'late', businessKey: 'BK-late', steps: [] });
    await page.waitForSelector('tr[data-stream="job-late"]', WAIT);
    expect(await text('#list-summary')).toContain('3 matching streams');
    expect(await page.evaluate(() => (window as unknown as { marker?: number }).marker)).toBe(7);
  });

  it("shows each portal's load and concurrency limit under the incidents", async () => {
    await page.goto(`${server.url}/inspector#/`, { waitUntil: 'domcontentloaded' });
    await page.waitForSelector('#portal-load:not([hidden]) span[data-portal="sim"]', WAIT);
    // Three jobs of portal sim, no master session: all queued, waiting for the session; no limit of its own.
    expect(await text('#portal-load span[data-portal="sim"]')).toBe('sim 0 running · 3 queued (3 waiting for the session) · global cap');
  });

  it('filters the list by state', async () => {
    await page.type('#filter-state', 'pending');
    await page.click('#filters button[type=submit]');
    await page.waitForFunction(() => document.querySelector('#list-summary')?.textContent?.startsWith('3 matching'), WAIT);
    await page.$eval('#filter-state', (el) => ((el as HTMLInputElement).value = ''));
  });

  it('follows a job live, over the event feed, until it is submitted', async () => {
    await page.goto(`${server.url}/inspector#/stream/job-live`, { waitUntil: 'domcontentloaded' });
    await page.waitForSelector('#chart .node.active[data-path="pending"]', WAIT);
    await page.waitForFunction(() => document.querySelector('#live-status')?.textContent === 'live', WAIT);
    // A marker that a reload would erase: every update below must arrive without one.
    await page.evaluate(() => ((window as unknown as { marker: number }).marker = 42));
    expect(await bannerDisplay()).toBe('none');
    await server.engine.host.send('job-live', { type: 'START' });
    for (const state of ['cloning', 'validating', 'filling', 'filling', 'submitting']) {
      await page.waitForFunction((s) => document.querySelector('#current-state')?.textContent === s, WAIT, state);
      expect(await page.$(`#chart .node.active[data-path="${state}"]`)).not.toBeNull();
      await effects.release();
    }
    await page.waitForFunction(() => document.querySelector('#current-state')?.textContent === 'submitted', WAIT);
    expect(await text('#current-status')).toBe('done');
    expect(await page.$('#chart .node.active[data-path="submitted"]')).not.toBeNull();
    expect(await page.$$eval('#chart .node.active', (nodes) => nodes.length)).toBe(1);
    expect(await page.evaluate(() => (window as unknown as { marker?: number }).marker)).toBe(42);
    const stored = await server.engine.store.read('job-live');
    expect(await page.$$eval('#timeline-rows tr', (rows) => rows.length)).toBe(stored.length);
    expect(await page.$$eval('#timeline-rows tr td:nth-child(3)', (cells) => cells.map((c) => c.textContent))).toEqual(stored.map((e) => e.type));
    await page.screenshot({ path: join(OUTPUT, 'stream.png'), fullPage: true });
  });

  it('travels back in time to an earlier version and back to live', async () => {
    const events = await server.engine.store.read('job-live');
    const cloning = events.find((e) => (e.stateAfter as { value?: unknown } | null)?.value === 'cloning');
    await page.click(`#timeline-rows tr[data-version="${cloning?.version}"]`);
    await page.waitForSelector('#travel-banner:not([hidden])', WAIT);
    expect(await text('#travel-text')).toContain(`version ${cloning?.version}`);
    expect(await text('#travel-text')).toContain('cloning');
    expect(await page.$('#chart .node.travel[data-path="cloning"]')).not.toBeNull();
    expect(await page.$('#chart .node.active')).toBeNull();
    expect(await text('#context-title')).toContain('replayed');
    expect(JSON.parse(await text('#state-context'))).toMatchObject({ stage: 'cloning', attempt: 1, reference: null });
    await page.screenshot({ path: join(OUTPUT, 'time-travel.png'), fullPage: true });
    await page.click('#travel-exit');
    await page.waitForSelector('#chart .node.active[data-path="submitted"]', WAIT);
    expect(await page.$('#chart .node.travel')).toBeNull();
    expect(await bannerDisplay()).toBe('none');
  });

  it('still goes live after many page loads: a page left behind releases its feed connection', async () => {
    // Browsers allow six connections per server; pages kept in the back/forward cache with
    // an open feed used to exhaust them, and the seventh load never went live.
    for (let i = 0; i < 8; i++) {
      await page.goto('about:blank');
      await page.goto(`${server.url}/inspector#/stream/job-live`, { waitUntil: 'domcontentloaded' });
      await page.waitForFunction(() => document.querySelector('#live-status')?.textContent === 'live', WAIT);
    }
    expect(await text('#current-state')).toBe('submitted');
  });

  it('shows the failure screenshot a failed job references', async () => {
    await server.engine.host.create('job', 'broken', { ...jobInput, jobId: 'broken', businessKey: 'BK-broken', steps: [] });
    await server.engine.host.send('job-broken', { type: 'START' });
    await server.engine.host.idle();
    await page.goto(`${server.url}/inspector#/stream/job-broken`, { waitUntil: 'domcontentloaded' });
    await page.waitForFunction(() => document.querySelector('#current-state')?.textContent === 'failed_post_submission', WAIT);
    await page.waitForFunction(() => {
      const img = document.querySelector('#screenshots img') as HTMLImageElement | null;
      return img !== null && img.complete && img.naturalWidth === 48;
    }, WAIT);
    expect(await page.$eval('#screenshots img', (img) => img.getAttribute('src')?.startsWith('blob:'))).toBe(true);
    // The final state sits at the far right of the job chart: it is centred in the chart's frame.
    const visible = await page.$eval('#chart .node.active[data-path="failed_post_submission"] > rect', (rect) => {
      const frame = (document.querySelector('.chart-wrap') as HTMLElement).getBoundingClientRect();
      const box = rect.getBoundingClientRect();
      return box.left >= frame.left && box.right <= frame.right && box.top >= frame.top && box.bottom <= frame.bottom;
    });
    expect(visible).toBe(true);
    await page.screenshot({ path: join(OUTPUT, 'failure.png'), fullPage: true });
  });

  it('draws the nested master-session chart and its recovery history, and travels into a nested state', async () => {
    // Appended after start: the host does not resume it (no effects run), the inspector's feed sees it.
    await server.engine.store.append('master-portal-a', masterSessionWithRecovery('master-portal-a'), { expectedVersion: 'no-stream' });
    await page.goto(`${server.url}/inspector#/stream/master-portal-a`, { waitUntil: 'domcontentloaded' });
    await page.waitForSelector('#chart .node.active[data-path="ready"]', WAIT);
    expect(await page.$('#chart .node[data-path="recovering.soft.attempt.relogin"]')).not.toBeNull();
    await page.waitForSelector('#recovery-panel:not([hidden])', WAIT);
    const rows = await page.$$eval('#recovery-rows tr', (trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)));
    expect(rows.map((r) => [r[1], r[2], r[4], r[5], r[6]])).toEqual([
      ['soft', '1', '3.0 s', 'failed', 'LOGIN_REJECTED'],
      ['soft', '2', '2.0 s', 'succeeded', ''],
    ]);
    const events = await server.engine.store.read('master-portal-a');
    const relogin = events.find((e) => JSON.stringify((e.stateAfter as { value?: unknown } | null)?.value).includes('relogin')) as { version: number };
    await page.click(`#timeline-rows tr[data-version="${relogin.version}"]`);
    await page.waitForSelector('#chart .node.travel[data-path="recovering.soft.attempt.relogin"]', WAIT);
    for (const ancestor of ['recovering', 'recovering.soft', 'recovering.soft.attempt']) expect(await page.$(`#chart .node.travel[data-path="${ancestor}"]`)).not.toBeNull();
    await page.screenshot({ path: join(OUTPUT, 'master-session.png'), fullPage: true });
  });

  it('shows an open incident in a banner over the list, naming the portal (and account) and its root cause, and drops it when the session is back', async () => {
    const t0 = Date.UTC(2026, 0, 2);
    const steps: Array<[number, EngineEvent]> = [
      [1, { type: 'BROWSER_LAUNCHED' }],
      [2, { type: 'LOGGED_IN', at: new Date(t0 + 2_000).toISOString() }],
      [100, { type: 'FAILURE_REPORTED', jobId: 'job-9', reason: 'login_form', at: new Date(t0 + 100_000).toISOString() }],
      [103, { type: 'LOGGED_IN', at: new Date(t0 + 103_000).toISOString() }],
    ];
    // Two master sessions of portal-b: its own, and account desk-2's (`master-<portal>.<account>`).
    const sessions = ['master-portal-b', 'master-portal-b.desk-2'].map((stream) => {
      const records: NewEvent[] = [];
      let result: StepResult = stepStart(MASTER_SESSION_MACHINE, stream, { portal: 'portal-b', credentialsRef: 'secret://portal-b/login' }, { at: t0 });
      records.push(...result.records);
      let applied = 0;
      let written = 0;
      const upTo = async (count: number) => {
        const before = written;
        for (const [second, event] of steps.slice(applied, count)) {
          applied += 1;
          result = stepEvent(MASTER_SESSION_MACHINE, stream, records.length, result.state, result.snapshot, event, { at: t0 + second * 1_000 });
          records.push(...result.records);
        }
        await server.engine.store.append(stream, records.slice(before), { expectedVersion: before === 0 ? 'no-stream' : before });
        written = records.length;
      };
      return { upTo };
    });
    for (const session of sessions) await session.upTo(3);
    await page.goto(`${server.url}/inspector#/`, { waitUntil: 'domcontentloaded' });
    await page.waitForSelector('#incidents:not([hidden]) p[data-session="portal-b"]', WAIT);
    await page.waitForSelector('#incidents p[data-session="portal-b.desk-2"]', WAIT);
    const banner = await text('#incidents');
    expect(banner).toContain('portal-b recovering since 2026-01-02 00:01:40');
    expect(banner).toContain('portal-b (account desk-2) recovering since 2026-01-02 00:01:40');
    expect(banner).toContain('job job-9 reported login_form');
    expect(await page.$eval('#incidents p[data-session="portal-b.desk-2"] a', (a) => a.getAttribute('href'))).toContain('master-portal-b.desk-2');
    await page.screenshot({ path: join(OUTPUT, 'incident-banner.png'), fullPage: true });

    await sessions[0].upTo(4);
    await page.waitForSelector('#incidents p[data-session="portal-b"]', { ...WAIT, hidden: true });
    expect(await text('#incidents')).toContain('portal-b (account desk-2)');
    await sessions[1].upTo(4);
    await page.waitForSelector('#incidents[hidden]', WAIT);
  });
});
