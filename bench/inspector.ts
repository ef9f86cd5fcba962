// Inspector rendering in headless Chromium against the real server in-process (memory store):
//   - a stream of ~1,000 events (job machine, retry cycles): page load → chart + timeline drawn,
//     baseline the same page on a 10-event stream;
//   - the stream list at 10,000 streams: page load → first page drawn, baseline 100 streams;
//   - the list API alone (server side) at both sizes.
// Times come from the page's own performance marks (`inspector:stream:rendered`,
// `inspector:list:rendered`, ms since navigation start), median of several fresh page loads.
import type { Page } from 'puppeteer-core';
import { stepEvent, stepStart, type EventStore, type NewEvent } from '@engine/core';
import { MemoryEventStore } from '@engine/event-store';
import { JOB_MACHINE } from '@engine/machines';
import { launchChromium } from '../apps/server/src/inspector/testing/headless-chromium';
import { startInspectorTestServer, type InspectorTestServer } from '../apps/server/src/inspector/testing/inspector-test-server';
import { median, sectionHeader, writeBenchmarkSection } from './report';

const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const LONG = 1_000;
const SHORT = 10;
const MANY = 10_000;
const FEW = 100;
const T0 = Date.UTC(2026, 0, 1);
const jobInput = { jobId: 'bench', portal: 'sim', payload: { name: 'Ada' }, businessKey: 'BK', steps: ['applicant'], maxAttempts: 1_000_000, retryDelayMs: 1_000 };

/**
 * `count` events (or up to 2 more: whole retry cycles) of a job that keeps failing to clone and retrying (4 events per cycle),
 * cancelled at the end: a final stream arms no timer and runs no effect when the server starts.
 */
function retryingJob(stream: string, count: number): NewEvent[] {
  let at = T0;
  let result = stepStart(JOB_MACHINE, stream, { ...jobInput, jobId: stream }, { at });
  const records: NewEvent[] = [...result.records];
  const step = (event: { type: string; [k: string]: unknown }, origin: { effectId?: string; timerId?: string } = {}) => {
    at += 1_000;
    result = stepEvent(JOB_MACHINE, stream, records.length, result.state, result.snapshot, event, { at, ...origin });
    records.push(...result.records);
  };
  while (records.length < count - 1) {
    step({ type: 'START' });
    step({ type: 'CLONE_FAILED', code: 'HTTP_503', at: new Date(at).toISOString() }, { effectId: Object.keys(result.state.effects)[0] });
    step({ type: 'TIMER.retry' }, { timerId: result.state.timers.retry.id });
  }
  step({ type: 'CANCEL', reason: 'benchmark', at: new Date(at).toISOString() });
  return records;
}

/** Jobs waiting to start, every third one cancelled: no effect or timer to resume at start. */
async function populate(store: EventStore, streams: number): Promise<void> {
  for (let i = 0; i < streams; i++) {
    const stream = `job-${String(i).padStart(5, '0')}`;
    const started = stepStart(JOB_MACHINE, stream, { ...jobInput, jobId: stream }, { at: T0 });
    const records = [...started.records];
    const cancel = { type: 'CANCEL', reason: 'benchmark' };
    if (i % 3 === 0) records.push(...stepEvent(JOB_MACHINE, stream, 1, started.state, started.snapshot, cancel, { at: T0 + 1_000 }).records);
    await store.append(stream, records, { expectedVersion: 'no-stream' });
  }
}

async function server(streams: number): Promise<InspectorTestServer> {
  const store = new MemoryEventStore();
  await populate(store, streams);
  await store.append('job-long', retryingJob('job-long', LONG), { expectedVersion: 'no-stream' });
  await store.append('job-short', retryingJob('job-short', SHORT), { expectedVersion: 'no-stream' });
  return startInspectorTestServer({ store });
}

/** Fresh page loads of `hash`; returns the mark's time (ms since navigation start) per load. */
async function renderTimes(page: Page, target: InspectorTestServer, hash: string, mark: string): Promise<number[]> {
  const times: number[] = [];
  for (let run = 0; run < RUNS + 1; run++) {
    await page.goto('about:blank');
    await page.goto(`${target.url}/inspector${hash}`, { waitUntil: 'domcontentloaded' });
    const handle = await page.waitForFunction((name) => performance.getEntriesByName(name)[0]?.startTime, { timeout: 30_000 }, mark);
    const ms = (await handle.jsonValue()) as number;
    if (run > 0) times.push(ms); // the first load warms the server's caches and Chromium's
  }
  return times;
}

async function apiTimes(target: InspectorTestServer): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < 60; i++) {
    const start = process.hrtime.bigint();
    const response = await fetch(`${target.url}/api/inspector/streams?limit=50`, { headers: { Authorization: `Bearer ${target.token}` } });
    await response.json();
    if (i >= 10) times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  return times;
}

async function main(): Promise<void> {
  const big = await server(MANY);
  const small = await server(FEW);
  const chromium = await launchChromium();
  try {
    const page = await chromium.browser.newPage();
    page.on('pageerror', (e) => console.error('page error:', e));
    // The token goes into sessionStorage before the page's script runs, as after a sign-in.
    const tokens = new Map([new URL(big.url).origin, new URL(small.url).origin].map((o, i) => [o, i === 0 ? big.token : small.token]));
    await page.evaluateOnNewDocument((entries: [string, string][]) => {
      const token = new Map(entries).get(location.origin);
      if (token) sessionStorage.setItem('inspector.token', token);
    }, [...tokens]);
    const longStream = await renderTimes(page, big, '#/stream/job-long', 'inspector:stream:rendered');
    const rows = await page.$$eval('#timeline-rows tr', (r) => r.length);
    const longEvents = (await big.engine.store.read('job-long')).length;
    if (rows !== longEvents) throw new Error(`timeline shows ${rows} rows, the stream has ${longEvents} events`);
    const shortEvents = (await big.engine.store.read('job-short')).length;
    const shortStream = await renderTimes(page, big, '#/stream/job-short', 'inspector:stream:rendered');
    const manyList = await renderTimes(page, big, '#/', 'inspector:list:rendered');
    const summary = await page.$eval('#list-summary', (e) => e.textContent ?? '');
    if (!summary.startsWith(`${MANY + 2} matching`)) throw new Error(`list summary ${summary}`);
    const fewList = await renderTimes(page, small, '#/', 'inspector:list:rendered');
    const manyApi = await apiTimes(big);
    const fewApi = await apiTimes(small);

    const fmt = (ms: number) => `${ms.toFixed(0)} ms`;
    const row = (what: string, times: number[], baseline: number[], baselineWhat: string) =>
      `| ${what} | **${fmt(median(times))}** (max ${fmt(Math.max(...times))}) | ${baselineWhat}: ${fmt(median(baseline))} | ${(median(times) / median(baseline)).toFixed(2)}× |`;
    const table = [
      '| measure (median of fresh page loads) | result | baseline, same run | ratio |',
      '| --- | --- | --- | --- |',
      row(`stream view, ${longEvents.toLocaleString('en-US')} events: load → chart + timeline drawn`, longStream, shortStream, `${shortEvents} events`),
      row(`stream list, ${(MANY + 2).toLocaleString('en-US')} streams: load → first page drawn`, manyList, fewList, `${FEW + 2} streams`),
      `| list API, one page of 50 at ${(MANY + 2).toLocaleString('en-US')} streams (server, no browser) | **${median(manyApi).toFixed(2)} ms** | ${FEW + 2} streams: ${median(fewApi).toFixed(2)} ms | ${(median(manyApi) / median(fewApi)).toFixed(2)}× |`,
    ].join('\n');
    console.log(table);
    writeBenchmarkSection(
      'Inspector (bench/inspector.ts)',
      `${sectionHeader('node -r ./scripts/ts-run.js bench/inspector.ts')}\n\n` +
        `Headless Chromium (system build, puppeteer-core) against the server in-process on 127.0.0.1, memory store, ${RUNS} fresh page loads per measure after one warm-up. ` +
        `Times are the page's own performance marks (ms since navigation start), so they include the API round trips, JSON parsing and DOM/SVG drawing. ` +
        `The long stream is a job retrying clones (job statechart, every event in the timeline); the list holds jobs (pending or cancelled) and shows 50 per page. Aim: < 1 s each.\n\n${table}`,
    );
  } finally {
    await chromium.close();
    await big.close();
    await small.close();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
