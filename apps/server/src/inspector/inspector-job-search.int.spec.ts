// The inspector's job search in real headless Chromium against the real server in-process
// (memory store and index, real job machines): each filter of the form reaches GET /api/jobs and
// the table shows exactly the matching jobs; "More" follows the cursor; a refused query shows the
// field the API named. A screenshot goes to test-output/inspector.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'puppeteer-core';
import { JOB_MACHINE } from '@engine/machines';
import { jobInput } from '@engine/machines/testing';
import { launchChromium, signInToInspector, type HeadlessChromium } from './testing/headless-chromium';
import { startInspectorTestServer, type InspectorTestServer } from './testing/inspector-test-server';

const OUTPUT = join(process.cwd(), 'test-output', 'inspector');
const WAIT = { timeout: 15_000 };
jest.setTimeout(60_000);

let server: InspectorTestServer;
let chromium: HeadlessChromium;
let page: Page;

beforeAll(async () => {
  mkdirSync(OUTPUT, { recursive: true });
  server = await startInspectorTestServer();
  const host = server.engine.host;
  const job = (jobId: string, portal: string, createdAt: string, businessKey = `BK-${jobId}`) => host.create(JOB_MACHINE, jobId, { ...jobInput, jobId, portal, businessKey, createdAt });
  await job('a1', 'alpha', '2026-03-01T09:00:00.000Z');
  await job('a2', 'alpha', '2026-03-02T09:00:00.000Z', 'POLICY-7');
  await job('b1', 'beta', '2026-03-02T23:30:00.000Z');
  await job('b2', 'beta', '2026-03-04T09:00:00.000Z');
  await host.sendTo(JOB_MACHINE, 'b2', { type: 'CANCEL', reason: 'test', at: '2026-03-05T00:00:00.000Z' });
  for (let i = 0; i < 55; i++) await job(`bulk-${String(i).padStart(2, '0')}`, 'bulk', `2026-02-01T00:00:${String(i).padStart(2, '0')}.000Z`);
  chromium = await launchChromium();
  page = await chromium.browser.newPage();
  await signInToInspector(page, server.url, server.token, WAIT.timeout);
  await page.waitForSelector('#job-filters', { visible: true, ...WAIT });
});

afterAll(async () => {
  await chromium?.close();
  await server?.close();
});

const FIELDS = ['#job-portal', '#job-state', '#job-failure-kind', '#job-business-key', '#job-created-from', '#job-created-to', '#job-finished-from', '#job-finished-to'];

/** Fills the form as given (every other field emptied), searches, and answers the job ids shown once the summary changed. */
async function search(values: Record<string, string>): Promise<string[]> {
  for (const selector of FIELDS) await page.$eval(selector, (el, value) => ((el as HTMLInputElement).value = value), values[selector] ?? '');
  await page.$eval('#job-summary', (el) => (el.textContent = ''));
  await page.click('#job-filters button[type=submit]');
  await page.waitForFunction(() => (document.querySelector('#job-summary')?.textContent ?? '') !== '', WAIT);
  return page.$$eval('#job-rows tr', (rows) => rows.map((r) => (r as HTMLElement).dataset.job ?? ''));
}

describe('inspector job search in Chromium', () => {
  it('finds jobs by portal and state, failure kind, business key and a created or finished day range', async () => {
    expect(await search({ '#job-portal': 'beta', '#job-state': 'pending, cancelled' })).toEqual(['b1', 'b2']);
    expect(await search({ '#job-portal': 'beta', '#job-state': 'cancelled' })).toEqual(['b2']);
    expect(await search({ '#job-failure-kind': 'cancelled' })).toEqual(['b2']);
    expect(await search({ '#job-business-key': 'POLICY-7' })).toEqual(['a2']);
    // Whole days, both ends included: b1 at 23:30 on the 2nd is in.
    expect(await search({ '#job-created-from': '2026-03-02', '#job-created-to': '2026-03-02' })).toEqual(['a2', 'b1']);
    expect(await search({ '#job-finished-from': '2000-01-01', '#job-finished-to': '2999-12-31' })).toEqual(['b2']);
    expect(await page.$eval('#job-rows tr[data-job="b2"] a', (a) => a.getAttribute('href'))).toBe('#/stream/job-b2');
    expect(await page.$eval('#job-rows tr[data-job="b2"] .state', (td) => td.textContent)).toBe('cancelled');
    await page.screenshot({ path: join(OUTPUT, 'job-search.png'), fullPage: true });
  });

  it('loads the next page with More until the last one', async () => {
    const first = await search({ '#job-portal': 'bulk' });
    expect(first).toHaveLength(50);
    expect(await page.$eval('#job-more', (el) => (el as HTMLElement).hidden)).toBe(false);
    await page.click('#job-more');
    await page.waitForFunction(() => document.querySelectorAll('#job-rows tr').length === 55, WAIT);
    const all = await page.$$eval('#job-rows tr', (rows) => rows.map((r) => (r as HTMLElement).dataset.job ?? ''));
    expect(all).toEqual(Array.from({ length: 55 }, (_, i) => `bulk-${String(i).padStart(2, '0')}`));
    expect(await page.$eval('#job-more', (el) => (el as HTMLElement).hidden)).toBe(true);
    expect(await page.$eval('#job-summary', (el) => el.textContent)).toBe('55 jobs');
  });

  it('shows the field a refused search names, and no stale rows', async () => {
    expect(await search({ '#job-state': 'bogus' })).toEqual([]);
    expect(await page.$eval('#job-summary', (el) => el.textContent)).toContain('state');
    expect(await page.$eval('#job-results', (el) => (el as HTMLElement).hidden)).toBe(true);
  });
});
