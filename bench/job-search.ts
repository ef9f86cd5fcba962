// Job search at 10,000 jobs: one page (50 jobs) of `JobsApi.list` served from the job index, on
// SQLite (tables in the store's file) and on PostgreSQL (a throwaway cluster, fsync on), against
// the baseline measured in the same run: the in-memory scan of the read feed the list did before
// the index (every job's view built, filtered, sorted, then sliced), given the same filters.
// Both sides answer the same pages (checked); median and p95 per query, interleaved, after a
// warm-up. Also the index's rebuild from the log at start. Writes its BENCHMARKS.md section.
//   node -r ./scripts/ts-run.js bench/job-search.ts
import { execSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { ActorHost, SimulatedClock, stepStart, type EventStore, type NewEvent, type StreamState } from '@engine/core';
import {
  compareJobSortKeys,
  decodeJobCursor,
  encodeJobCursor,
  JobIndexProjection,
  jobIndexRow,
  JobsApi,
  jobView,
  matchesJobSearch,
  PostgresJobIndex,
  SqliteJobIndex,
  type JobIndex,
  type JobIntake,
  type JobListFilter,
  type JobPage,
  type JobScheduler,
  type JobState,
  type JobView,
} from '@engine/engine';
import { PostgresEventStore, SqliteEventStore } from '@engine/event-store';
import { JOB_MACHINE, type JobFailureType } from '@engine/machines';
import { startPostgresCluster } from '../libs/event-store/src/testing/postgres-cluster';
import { percentile, sectionHeader, writeBenchmarkSection } from './report';

const JOBS = Number(process.env.BENCH_JOBS ?? 10_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 200);
const WARM_UP = 20;
const LIMIT = 50;
const DAY = 86_400_000;
const T0 = Date.UTC(2026, 2, 1);
const PORTALS = ['alpha', 'beta', 'gamma', 'delta', 'epsilon', 'zeta'];
const FAILURES: JobFailureType[] = ['login_form', 'portal_error', 'clone', 'validation', 'form_rejected'];

/** A deterministic spread of states, failures and times over 30 days (xorshift, fixed seed). */
function* population(count: number): Generator<{ stream: string; events: NewEvent[] }> {
  let seed = 20261203;
  const random = () => {
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return (seed >>> 0) / 2 ** 32;
  };
  for (let i = 0; i < count; i++) {
    const jobId = `j${String(i).padStart(6, '0')}`;
    const stream = `job-${jobId}`;
    const created = T0 + Math.floor(random() * 30 * DAY);
    const createdAt = new Date(created).toISOString();
    const portal = PORTALS[Math.floor(random() * PORTALS.length)];
    const started = stepStart(JOB_MACHINE, stream, { jobId, portal, payload: { policy: i }, businessKey: `POLICY-${String(i).padStart(6, '0')}`, steps: ['applicant'], createdAt }, { at: created });
    const events: NewEvent[] = [...started.records];
    const roll = random();
    const value = roll < 0.15 ? 'pending' : roll < 0.7 ? 'submitted' : roll < 0.85 ? 'failed' : roll < 0.9 ? 'cancelled' : roll < 0.95 ? 'needs_review' : 'failed_post_submission';
    if (value !== 'pending') {
      const finished = created + Math.floor(random() * 3_600_000);
      const failureType: JobFailureType = value === 'cancelled' ? 'cancelled' : value === 'needs_review' ? 'lookup_failed' : value === 'failed_post_submission' ? 'post_submission' : FAILURES[Math.floor(random() * FAILURES.length)];
      const failed = value !== 'submitted' || random() < 0.2;
      const state = started.state as JobState;
      const context = {
        ...state.context,
        attempt: 1,
        reference: value === 'submitted' ? `REF-${i}` : null,
        failures: failed ? [{ failureType, stage: 'validating', step: null, attempt: 1, code: failureType.toUpperCase(), artifactRef: null, at: new Date(finished).toISOString() }] : [],
      };
      events.push({ type: 'JOB_ENDED', data: {}, stateAfter: { ...state, value, status: 'done', context }, meta: { at: new Date(finished).toISOString(), machineId: 'job', machineVersion: JOB_MACHINE.version } });
    }
    yield { stream, events };
  }
}

async function fill(store: EventStore): Promise<void> {
  const batch: Promise<unknown>[] = [];
  for (const { stream, events } of population(JOBS)) {
    batch.push(store.append(stream, events, { expectedVersion: 'no-stream' }));
    if (batch.length === 500) await Promise.all(batch.splice(0));
  }
  await Promise.all(batch);
}

/**
 * The list before the index (libs/engine/src/jobs/jobs-api.ts at 852e292), given the new filters:
 * every job of the feed, its view built, filtered, sorted oldest first, the page sliced after the cursor.
 */
function scanFeed(host: ActorHost, filter: JobListFilter): JobPage {
  const views: Array<{ view: JobView; key: { createdAt: string; jobId: string } }> = [];
  const { cursor, limit, ...search } = filter;
  for (const entry of host.feed.allOf(JOB_MACHINE)) {
    if (!matchesJobSearch(jobIndexRow(entry as StreamState<JobState>), { ...search, limit })) continue;
    const view = jobView(entry);
    views.push({ view, key: { createdAt: view.createdAt ?? '', jobId: view.jobId } });
  }
  views.sort((a, b) => compareJobSortKeys(a.key, b.key));
  let start = 0;
  if (cursor) {
    const after = decodeJobCursor(cursor);
    start = views.findIndex((v) => compareJobSortKeys(v.key, after) > 0);
    if (start === -1) start = views.length;
  }
  const page = views.slice(start, start + limit);
  const last = page[page.length - 1];
  return { jobs: page.map((v) => v.view), next: start + limit < views.length && last ? encodeJobCursor(last.key) : null };
}

interface Query {
  name: string;
  filter: JobListFilter;
}

const day = (n: number) => new Date(T0 + n * DAY).toISOString();

async function queries(api: JobsApi): Promise<Query[]> {
  const base: Query[] = [
    { name: 'portal + state (`portal=gamma&state=failed`)', filter: { portal: 'gamma', states: ['failed'], limit: LIMIT } },
    { name: 'failure kind (`failureKind=login_form`)', filter: { failureKind: 'login_form', limit: LIMIT } },
    { name: 'business key, exact (`businessKey=POLICY-004217`)', filter: { businessKey: 'POLICY-004217', limit: LIMIT } },
    { name: 'created in a 2-day range', filter: { createdFrom: day(10), createdTo: day(12), limit: LIMIT } },
    { name: 'portal + finished in a 5-day range', filter: { portal: 'beta', finishedFrom: day(20), finishedTo: day(25), limit: LIMIT } },
    { name: 'state pending, any portal', filter: { states: ['pending'], limit: LIMIT } },
  ];
  // A deep page: the 20th of the unfiltered list, reached through the cursors.
  let cursor: string | undefined;
  for (let i = 0; i < 19; i++) cursor = (await api.list({ limit: LIMIT, cursor })).next ?? undefined;
  return [...base, { name: 'no filter, 20th page (cursor)', filter: { limit: LIMIT, cursor } }];
}

interface Result {
  name: string;
  indexMs: number[];
  scanMs: number[];
  matches: number;
}

async function measure(api: JobsApi, host: ActorHost, list: Query[]): Promise<Result[]> {
  const results: Result[] = [];
  for (const query of list) {
    const fromIndex = await api.list(query.filter);
    const fromScan = scanFeed(host, query.filter);
    if (JSON.stringify(fromIndex) !== JSON.stringify(fromScan)) throw new Error(`${query.name}: the index and the scan answer different pages`);
    const result: Result = { name: query.name, indexMs: [], scanMs: [], matches: fromIndex.jobs.length };
    for (let run = 0; run < WARM_UP + RUNS; run++) {
      // Interleaved, so both sides see the same machine load.
      let started = performance.now();
      await api.list(query.filter);
      const indexMs = performance.now() - started;
      started = performance.now();
      scanFeed(host, query.filter);
      const scanMs = performance.now() - started;
      if (run >= WARM_UP) {
        result.indexMs.push(indexMs);
        result.scanMs.push(scanMs);
      }
    }
    result.indexMs.sort((a, b) => a - b);
    result.scanMs.sort((a, b) => a - b);
    results.push(result);
  }
  return results;
}

/** Fills the store, then starts a host and the projection on it as the engine does, timing the index's rebuild from the log. */
async function run(store: EventStore, openIndex: () => Promise<JobIndex>): Promise<{ results: Result[]; rebuildMs: number; loadMs: number }> {
  const filled = performance.now();
  await fill(store);
  const loadMs = performance.now() - filled;
  const index = await openIndex();
  const host = new ActorHost({ store, clock: new SimulatedClock(T0 + 40 * DAY), definitions: [JOB_MACHINE] });
  const projection = new JobIndexProjection({ feed: host.feed, index });
  await host.start();
  const started = performance.now();
  const caughtUp = await projection.start();
  const rebuildMs = performance.now() - started;
  if (!caughtUp.rebuilt || caughtUp.jobs !== JOBS) throw new Error(`expected a rebuild of ${JOBS} jobs, got ${JSON.stringify(caughtUp)}`);
  const api = new JobsApi({ host, intake: {} as JobIntake, scheduler: {} as JobScheduler, store, clock: new SimulatedClock(), index: projection });
  try {
    return { results: await measure(api, host, await queries(api)), rebuildMs, loadMs };
  } finally {
    await host.stop();
    await projection.stop();
    await index.close();
  }
}

const ms = (value: number) => (value < 10 ? value.toFixed(2) : value.toFixed(1));

function table(results: Result[]): string {
  const rows = results.map((r) => {
    const index = percentile(r.indexMs, 50);
    const scan = percentile(r.scanMs, 50);
    return `| ${r.name} | ${r.matches} | **${ms(index)}** | ${ms(percentile(r.indexMs, 95))} | ${ms(scan)} | ${ms(percentile(r.scanMs, 95))} | **${(scan / index).toFixed(1)}×** |`;
  });
  return ['| query (page of 50) | jobs on the page | index median ms | index p95 ms | feed scan median ms (baseline) | feed scan p95 ms | scan / index (median) |', '| --- | ---: | ---: | ---: | ---: | ---: | ---: |', ...rows].join('\n');
}

async function main(): Promise<void> {
  const load = loadavg()[0].toFixed(1);
  const commit = execSync('git rev-parse --short HEAD', { cwd: join(__dirname, '..') }).toString().trim();
  const kernel = execSync('uname -r').toString().trim();
  const nproc = execSync('nproc').toString().trim();

  const dir = mkdtempSync(join(tmpdir(), 'bench-job-search-'));
  const file = join(dir, 'events.db');
  let sqlite: Awaited<ReturnType<typeof run>>;
  const sqliteStore = new SqliteEventStore(file);
  try {
    sqlite = await run(sqliteStore, async () => new SqliteJobIndex(file));
  } finally {
    await sqliteStore.close();
    rmSync(dir, { recursive: true, force: true });
  }
  process.stdout.write(`SQLite:\n${table(sqlite.results)}\n`);

  const cluster = await startPostgresCluster();
  let postgres: Awaited<ReturnType<typeof run>>;
  try {
    const url = await cluster.createDatabase();
    const store = await PostgresEventStore.open(url);
    try {
      postgres = await run(store, () => PostgresJobIndex.open(url));
    } finally {
      await store.close();
    }
  } finally {
    await cluster.stop();
  }
  process.stdout.write(`PostgreSQL:\n${table(postgres.results)}\n`);

  const worst = (results: Result[]) => Math.max(...results.map((r) => percentile(r.indexMs, 95)));
  writeBenchmarkSection(
    'Job search (bench/job-search.ts)',
    `${sectionHeader('node -r ./scripts/ts-run.js bench/job-search.ts')}  
Commit: ${commit} (the measured code; the figures are committed after it); \`nproc\` ${nproc}, kernel ${kernel}; 1-minute load average at start: ${load}

${JOBS.toLocaleString('en')} jobs over ${PORTALS.length} portals and 30 days (15 % pending, 55 % submitted, the rest failed, cancelled, needs_review or failed_post_submission, a last failure on every unsuccessful job and on a fifth of the submitted ones), written to the store as their events (${JOBS.toLocaleString('en')} + one final event per finished job). A host and the job index projection start on it as the engine does; the index is rebuilt from the log's heads (SQLite: **${Math.round(sqlite.rebuildMs)} ms**, PostgreSQL: **${Math.round(postgres.rebuildMs)} ms** for ${JOBS.toLocaleString('en')} jobs). Each query is one \`JobsApi.list\` call (what GET /api/jobs runs after validation: cursor decoded, rows from the index, views from the feed, next cursor), ${RUNS} runs after ${WARM_UP} warm-up runs, interleaved with the baseline: the in-memory scan of the read feed the list did before (every job's view built, filtered with the same filters, sorted, sliced after the cursor). Both answer the same page, checked before timing.

**SQLite** (store file on the temp disk; the index's own WAL connection):

${table(sqlite.results)}

**PostgreSQL 15** (throwaway cluster on 127.0.0.1, the index's own pool of 3):

${table(postgres.results)}

Worst p95 of a filtered page: SQLite **${ms(worst(sqlite.results))} ms**, PostgreSQL **${ms(worst(postgres.results))} ms** (aim: < 100 ms at 10k jobs).`,
  );
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
