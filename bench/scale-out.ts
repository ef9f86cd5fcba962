// Scale-out: jobs per minute with 1 and with 3 worker processes on one PostgreSQL store
// (a throwaway cluster, fsync on), with fake portals whose effects answer at once, so what is
// measured is the engine itself: decisions, durable appends, lease claims and handovers.
// Six portals, so three workers each hold two master sessions (jobs run on the worker holding
// their portal's session). Rounds alternate 1 and 3 workers; the ratio is taken per round.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Client } from 'pg';
import { ActorHost, SystemClock } from '@engine/core';
import { JobIntake } from '@engine/engine';
import { ENGINE_MACHINES } from '@engine/machines';
import { PostgresEventStore } from '@engine/event-store';
import { startPostgresCluster, type PostgresCluster } from '../libs/event-store/src/testing/postgres-cluster';
import { median, sectionHeader, writeBenchmarkSection } from './report';
import { fakePortal } from './scale-out-worker';

const JOBS = Number(process.env.BENCH_JOBS ?? 300);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 8);
/** Effect latencies compared: 0 (answers at once: the engine's own cost) and a portal-like round trip. */
const LATENCIES = (process.env.BENCH_LATENCIES ?? '0,50').split(',').map(Number);
const PORTALS = ['fake-a', 'fake-b', 'fake-c', 'fake-d', 'fake-e', 'fake-f'];
const ROOT = resolve(__dirname, '..');

interface Worker {
  child: ChildProcess;
  exited: Promise<void>;
}

function startWorker(id: string, env: Record<string, string>): Promise<Worker> {
  const child = spawn(process.execPath, ['-r', './scripts/ts-run.js', 'bench/scale-out-worker.ts'], {
    cwd: ROOT,
    env: { ...process.env, ...env, WORKER_ID: id },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  return new Promise((ready, fail) => {
    child.stdout?.on('data', (chunk: Buffer) => chunk.toString().includes(`ready ${id}`) && ready({ child, exited }));
    child.once('exit', (code) => fail(new Error(`worker ${id} exited with ${code}`)));
  });
}

async function count(client: Client, sql: string): Promise<number> {
  return Number((await client.query(sql)).rows[0].n);
}

async function waitFor(what: string, probe: () => Promise<boolean>, timeoutMs = 600_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** One measured run: fresh database, `workers` processes, JOBS jobs from intake to submitted. */
async function run(cluster: PostgresCluster, workers: number, latencyMs: number, dir: string): Promise<{ jobsPerMinute: number; seconds: number }> {
  const url = await cluster.createDatabase();
  const env = { DATABASE_URL: url, PORTAL_IDS: PORTALS.join(','), CONCURRENCY: String(CONCURRENCY), EFFECT_LATENCY_MS: String(latencyMs) };
  const procs = await Promise.all(Array.from({ length: workers }, (_, i) => startWorker(`w${i + 1}`, { ...env, DATA_DIR: join(dir, `w${workers}-${i}`) })));
  const client = new Client({ connectionString: url });
  await client.connect();
  const store = await PostgresEventStore.open(url, { poolSize: 8 });
  const host = new ActorHost({ store, clock: new SystemClock(), definitions: ENGINE_MACHINES, effects: {} });
  await host.start({ owns: () => false, forward: async () => undefined });
  try {
    // Every master session held, spread evenly (fair share, after rebalancing) and logged in before the clock starts.
    await waitFor('master sessions spread over the workers', async () => {
      const owners = (await client.query(`SELECT owner FROM stream_leases WHERE kind = 'master' AND expires_at > now()`)).rows.map((r) => r.owner as string);
      const perWorker = new Map<string, number>();
      for (const owner of owners) perWorker.set(owner, (perWorker.get(owner) ?? 0) + 1);
      return owners.length === PORTALS.length && perWorker.size === workers && [...perWorker.values()].every((n) => n === PORTALS.length / workers);
    });
    await waitFor('master sessions ready', async () => {
      const heads = await store.heads('master-');
      return heads.length === PORTALS.length && heads.every((h) => (h.lastEvent.stateAfter as { value: unknown }).value === 'ready');
    });
    const portals = new Map(PORTALS.map((id) => [id, fakePortal(id)]));
    const intake = new JobIntake({ host, clock: new SystemClock(), portals: (id) => portals.get(id) });
    const started = performance.now();
    for (let n = 0; n < JOBS; n += 50) {
      await Promise.all(
        Array.from({ length: Math.min(50, JOBS - n) }, (_, i) =>
          intake.submitJob({ portal: PORTALS[(n + i) % PORTALS.length], payload: { key: `K${n + i}` }, idempotencyKey: `bench-${n + i}` }),
        ),
      );
    }
    await waitFor('every job done', async () => (await count(client, `SELECT count(*) AS n FROM stream_leases WHERE kind = 'job' AND done`)) === JOBS);
    const seconds = (performance.now() - started) / 1000;
    const submitted = (await store.heads('job-')).filter((h) => (h.lastEvent.stateAfter as { value: unknown }).value === 'submitted').length;
    if (submitted !== JOBS) throw new Error(`${submitted} of ${JOBS} jobs submitted`);
    return { jobsPerMinute: (JOBS / seconds) * 60, seconds };
  } finally {
    await host.stop();
    await store.close();
    await client.end();
    for (const p of procs) p.child.kill('SIGTERM');
    await Promise.all(procs.map((p) => p.exited));
  }
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-scale-out-'));
  const cluster = await startPostgresCluster();
  const rows: { round: number; latencyMs: number; one: number; three: number }[] = [];
  const loads: number[] = [];
  try {
    for (let round = 1; round <= ROUNDS; round++) {
      loads.push(loadavg()[0]);
      for (const latencyMs of LATENCIES) {
        const one = await run(cluster, 1, latencyMs, dir);
        const three = await run(cluster, 3, latencyMs, dir);
        rows.push({ round, latencyMs, one: one.jobsPerMinute, three: three.jobsPerMinute });
        console.log(
          `round ${round}, effects ${latencyMs} ms: 1 worker ${one.jobsPerMinute.toFixed(0)} jobs/min (${one.seconds.toFixed(1)} s), 3 workers ${three.jobsPerMinute.toFixed(0)} jobs/min (${three.seconds.toFixed(1)} s)`,
        );
      }
    }
  } finally {
    await cluster.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  const ratios = LATENCIES.map((latencyMs) => ({ latencyMs, ratio: median(rows.filter((r) => r.latencyMs === latencyMs).map((r) => r.three / r.one)) }));
  const body = [
    sectionHeader('node -r ./scripts/ts-run.js bench/scale-out.ts'),
    '',
    `${JOBS} jobs (two fill steps each, about ten durable events per job) over ${PORTALS.length} fake portals whose effects answer at once; ` +
      `each worker is a separate process with scheduler concurrency ${CONCURRENCY}; one throwaway PostgreSQL cluster (fsync on), a fresh database per run. ` +
      `Timed from the first intake to the last job released as done. Load average (1 min) at the start of the rounds: ${loads.map((l) => l.toFixed(1)).join(', ')}.`,
    '',
    '| round | effect latency | 1 worker (jobs/min) | 3 workers (jobs/min) | 3 workers / 1 worker |',
    '|---|---|---|---|---|',
    ...rows.map((r) => `| ${r.round} | ${r.latencyMs} ms | ${r.one.toFixed(0)} | ${r.three.toFixed(0)} | ${(r.three / r.one).toFixed(2)} |`),
    '',
    `Median ratio 3 workers / 1 worker: ${ratios.map((r) => `**${r.ratio.toFixed(2)}** with ${r.latencyMs} ms effects`).join(', ')}. ` +
      'With effects that answer at once every job is pure CPU and durable commits, so the ratio is bounded by the cores shared by all ' +
      'workers and PostgreSQL (and each worker commits its own transactions, so group commit batches less); with a portal-like latency ' +
      'a job waits on the portal, each worker adds its own concurrency, and that is where more workers pay off.',
  ].join('\n');
  writeBenchmarkSection('Scale-out (bench/scale-out.ts)', body);
  console.log(body);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
