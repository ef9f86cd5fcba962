// Jobs throughput: jobs per minute through the engine (createEngine in-process, SQLite in a
// temp folder, the portal simulator, one master session that every job clones) at concurrency
// 1, 3 and 6, next to the naive way measured in the same run at the same concurrency: a new
// browser and a full login (captcha included) per job, no master session. Then the engine's
// own CPU time per job, with every browser effect replaced by an instant fake.
//   node -r ./scripts/ts-run.js bench/jobs.ts [--jobs N] [--cpu-jobs N] [--cpu-only] [--cpu-profile FILE]
// --cpu-profile writes a V8 CPU profile of the measured CPU batch alone (no start-up, no
// warm-up) to FILE; scripts/cpuprofile-summary.js prints its top functions by self time.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemorySecretProvider, type EffectRegistry } from '@engine/core';
import { BrowserHost } from '@engine/browser';
import { createEngine, type Engine } from '@engine/engine';
import { SqliteEventStore } from '@engine/event-store';
import { startPortalSim, type PortalSim } from '@engine/portal-sim';
import { PortalSimAdapter, PortalSimCaptchaSolver, fillAll, sampleProposal } from '@engine/portals';
import { sectionHeader, writeBenchmarkSection } from './report';

const SECTION = 'Jobs throughput (bench/jobs.ts)';
const CONCURRENCY = [1, 3, 6] as const;
const CREDENTIALS_REF = 'secret://portal-sim/login';
const CREDENTIALS = { username: 'agent', password: 'Secr3t!pass' };
const op = { timeoutMs: 60_000 };

const jobsPerRun = Number(argument('--jobs') ?? 24);
const cpuJobs = Number(argument('--cpu-jobs') ?? 2000);
const cpuProfile = argument('--cpu-profile');

function argument(name: string): string | undefined {
  const index = process.argv.indexOf(name);
  return index < 0 ? undefined : process.argv[index + 1];
}

interface Run {
  jobs: number;
  seconds: number;
  /** Jobs that did not end `submitted` (none expected: no faults are injected). */
  notSubmitted: number;
}

const perMinute = (run: Run) => (run.jobs / run.seconds) * 60;

/** Resolves once `count` job streams have reached a final state. */
function finals(engine: Engine, count: number): Promise<string[]> {
  return new Promise((resolve) => {
    const states: string[] = [];
    const seen = new Set<string>();
    const stop = engine.feed.subscribe(({ entry }) => {
      if (!entry.stream.startsWith('job-') || !entry.state || entry.state.status === 'active' || seen.has(entry.stream)) return;
      seen.add(entry.stream);
      states.push(String(entry.state.value));
      if (states.length === count) {
        stop();
        resolve(states);
      }
    });
  });
}

async function until(what: string, probe: () => boolean, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The engine: jobs submitted at once, timed from the first intake to the last final state. The master login happens before. */
async function engineRun(sim: PortalSim, concurrency: number, jobs: number, run: string): Promise<Run> {
  const dir = await mkdtemp(join(tmpdir(), 'bench-jobs-'));
  const engine = createEngine({
    store: new SqliteEventStore(join(dir, 'events.db')),
    dataDir: dir,
    portals: [new PortalSimAdapter({ baseUrl: sim.url })],
    secrets: new MemorySecretProvider().set(CREDENTIALS_REF, CREDENTIALS),
    credentials: { 'portal-sim': CREDENTIALS_REF },
    captcha: () => new PortalSimCaptchaSolver(sim.url),
    concurrency,
  });
  try {
    await engine.start();
    await until('master session ready', () => engine.feed.get('master-portal-sim')?.state?.value === 'ready');
    const done = finals(engine, jobs);
    const started = process.hrtime.bigint();
    for (let n = 0; n < jobs; n++) {
      await engine.intake.submitJob({ portal: 'portal-sim', payload: sampleProposal(n, run), idempotencyKey: `${run}-${n}` });
    }
    const states = await done;
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    return { jobs, seconds, notSubmitted: states.filter((s) => s !== 'submitted').length };
  } finally {
    await engine.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

/** The naive way: per job a new browser, a full login, the form, the click, close. `concurrency` of them at once. */
async function naiveRun(sim: PortalSim, concurrency: number, jobs: number, run: string): Promise<Run> {
  const host = new BrowserHost();
  const adapter = new PortalSimAdapter({ baseUrl: sim.url });
  const solver = new PortalSimCaptchaSolver(sim.url);
  let next = 0;
  let notSubmitted = 0;
  const worker = async () => {
    while (next < jobs) {
      const payload = sampleProposal(next++, run);
      const browser = await host.launch(op);
      try {
        const page = (await browser.browser.pages())[0] ?? (await browser.browser.newPage());
        await adapter.login(page, CREDENTIALS, solver, op);
        await fillAll(adapter, page, payload, op);
        await adapter.submit(page, payload, op);
      } catch {
        notSubmitted += 1;
      } finally {
        await browser.close();
      }
    }
  };
  const started = process.hrtime.bigint();
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { jobs, seconds: Number(process.hrtime.bigint() - started) / 1e9, notSubmitted };
}

/** Effects that answer at once: what is left to measure is the engine itself (intake, machines, log, index, scheduler). */
function instantEffects(): EffectRegistry {
  const at = () => new Date().toISOString();
  const answer = (event: (p: any) => Record<string, unknown>) => ({ run: async (p: any) => ({ at: at(), ...event(p) }) as any });
  return {
    launchBrowser: answer(() => ({ type: 'BROWSER_LAUNCHED' })),
    closeBrowser: answer(() => ({ type: 'BROWSER_CLOSED' })),
    login: answer(() => ({ type: 'LOGGED_IN' })),
    relogin: answer(() => ({ type: 'LOGGED_IN' })),
    probeSession: answer((p) => ({ type: 'PROBE_OK', probe: p.probe })),
    cloneSession: answer(() => ({ type: 'CLONED' })),
    validateSession: answer(() => ({ type: 'SESSION_VALID' })),
    fillStep: answer((p) => ({ type: 'STEP_FILLED', step: p.step })),
    submitForm: answer((p) => ({ type: 'SUBMITTED', reference: `PRP-2026-${String(p.jobId.length).padStart(6, '0')}` })),
    closeClone: { run: async () => undefined },
  };
}

/**
 * Engine CPU per job: process.cpuUsage() (user + system, all threads of this process, SQLite's
 * included) over `jobs` jobs from intake to `submitted`, divided by the jobs. No browser runs:
 * the effects answer instantly, so this is the engine's own cost per job. A warm-up batch first.
 */
async function engineCpu(jobs: number): Promise<{ cpuMsPerJob: number; userMsPerJob: number; eventsPerJob: number; transactionsPerJob: number; seconds: number }> {
  const dir = await mkdtemp(join(tmpdir(), 'bench-jobs-cpu-'));
  const store = new SqliteEventStore(join(dir, 'events.db'));
  const engine = createEngine({
    store,
    dataDir: dir,
    portals: [new PortalSimAdapter({ baseUrl: 'http://127.0.0.1:9' })],
    credentials: { 'portal-sim': CREDENTIALS_REF },
    concurrency: 6,
    effects: instantEffects(),
  });
  try {
    await engine.start();
    await until('master session ready', () => engine.feed.get('master-portal-sim')?.state?.value === 'ready');
    const batch = async (count: number, run: string) => {
      const done = finals(engine, count);
      for (let n = 0; n < count; n++) await engine.intake.submitJob({ portal: 'portal-sim', payload: sampleProposal(n, run), idempotencyKey: `${run}-${n}` });
      const states = await done;
      if (states.some((s) => s !== 'submitted')) throw new Error('a fake job did not end submitted');
    };
    await batch(200, 'W');
    const profiler = cpuProfile === undefined ? undefined : new Session();
    if (profiler) {
      profiler.connect();
      await profiler.post('Profiler.enable');
      await profiler.post('Profiler.start');
    }
    const positionBefore = engine.feed.position;
    const transactionsBefore = store.stats().transactions;
    const cpuBefore = process.cpuUsage();
    const started = process.hrtime.bigint();
    await batch(jobs, 'M');
    const cpu = process.cpuUsage(cpuBefore);
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    if (profiler) {
      const { profile } = await profiler.post('Profiler.stop');
      await writeFile(cpuProfile as string, JSON.stringify(profile));
      profiler.disconnect();
    }
    return {
      cpuMsPerJob: (cpu.user + cpu.system) / 1000 / jobs,
      userMsPerJob: cpu.user / 1000 / jobs,
      eventsPerJob: (engine.feed.position - positionBefore) / jobs,
      transactionsPerJob: (store.stats().transactions - transactionsBefore) / jobs,
      seconds,
    };
  } finally {
    await engine.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  if (process.argv.includes('--cpu-only')) {
    // Profiling aid (node --cpu-prof): the CPU part alone, nothing written.
    const cpu = await engineCpu(cpuJobs);
    console.log(
      `engine CPU ${cpu.cpuMsPerJob.toFixed(3)} ms/job (user ${cpu.userMsPerJob.toFixed(3)}) over ${cpuJobs} jobs (${cpu.eventsPerJob.toFixed(1)} events/job, ${cpu.transactionsPerJob.toFixed(2)} SQLite transactions/job, ${cpu.seconds.toFixed(1)} s)`,
    );
    return;
  }
  const sim = await startPortalSim({ testHooks: true, seed: 17 });
  const rows: { concurrency: number; engine: Run; naive: Run }[] = [];
  try {
    for (const concurrency of CONCURRENCY) {
      // Interleaved per concurrency, so a drift in the machine's load hits both sides alike.
      const engine = await engineRun(sim, concurrency, jobsPerRun, `E${concurrency}`);
      const naive = await naiveRun(sim, concurrency, jobsPerRun, `N${concurrency}`);
      rows.push({ concurrency, engine, naive });
      console.log(
        `concurrency ${concurrency}: engine ${perMinute(engine).toFixed(1)}/min (${engine.seconds.toFixed(1)} s), naive ${perMinute(naive).toFixed(1)}/min (${naive.seconds.toFixed(1)} s), ratio ${(perMinute(engine) / perMinute(naive)).toFixed(2)}`,
      );
    }
  } finally {
    await sim.close();
  }
  const cpu = await engineCpu(cpuJobs);
  console.log(`engine CPU ${cpu.cpuMsPerJob.toFixed(3)} ms/job (user ${cpu.userMsPerJob.toFixed(3)}) over ${cpuJobs} jobs (${cpu.eventsPerJob.toFixed(1)} events/job, ${cpu.seconds.toFixed(1)} s)`);

  const lines = [
    sectionHeader(`node -r ./scripts/ts-run.js bench/jobs.ts --jobs ${jobsPerRun} --cpu-jobs ${cpuJobs}`),
    `Load average at the end: ${loadavg().map((l) => l.toFixed(2)).join(', ')} (a shared 2-core machine: other test runs were going on).`,
    '',
    `${jobsPerRun} jobs per run against the portal simulator (no faults), both sides in one process run, interleaved per concurrency.`,
    '**Engine**: createEngine on SQLite, one master session logged in before the clock starts, each job a `context` clone of it',
    '(clone, probe, three form steps, submit: one effect each, every transition appended). **Naive**: per job a new Chromium,',
    'a full login with the captcha, the form (`fillAll`), submit, close; `concurrency` such workers at once.',
    '',
    '| concurrency | engine jobs/min | naive jobs/min | engine / naive | engine s | naive s | not submitted (engine / naive) |',
    '| ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows.map(
      (r) =>
        `| ${r.concurrency} | ${perMinute(r.engine).toFixed(1)} | ${perMinute(r.naive).toFixed(1)} | **${(perMinute(r.engine) / perMinute(r.naive)).toFixed(2)}×** | ${r.engine.seconds.toFixed(1)} | ${r.naive.seconds.toFixed(1)} | ${r.engine.notSubmitted} / ${r.naive.notSubmitted} |`,
    ),
    '',
    `**Engine CPU per job, browser excluded: ${cpu.cpuMsPerJob.toFixed(3)} ms** (user ${cpu.userMsPerJob.toFixed(3)} ms; aim < 2 ms) over ${cpuJobs} jobs, ${cpu.eventsPerJob.toFixed(1)} events appended per job in ${cpu.transactionsPerJob.toFixed(2)} SQLite transactions per job (group commit, synchronous=FULL).`,
    'Method: the same createEngine (SQLite file store, read feed, scheduler at concurrency 6, intake with payload validation)',
    'with every effect replaced by a fake that answers at once, so no browser and no portal run; after a warm-up batch of 200',
    'jobs, `process.cpuUsage()` of this process (user + system, every thread, SQLite included) is read before the first',
    `intake and after the last job is \`submitted\`, and divided by the ${cpuJobs} jobs.`,
  ];
  writeBenchmarkSection(SECTION, lines.join('\n'));
  console.log(`wrote the section "${SECTION}" of BENCHMARKS.md`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
