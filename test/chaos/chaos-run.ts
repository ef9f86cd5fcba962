// One chaos run, shared by test/chaos (in CI 40 jobs and 3 engine kills with faults paced
// closer together; 200 jobs and 5 kills with `npm run chaos -- --full`) and bench/chaos.ts
// (500 jobs, 10 kills): the engine server as a child process on SQLite, the portal simulator
// in this process (so it outlives every engine crash and keeps the count of submissions), jobs
// submitted through the API with idempotency keys, and faults all along the run: sessions
// killed on the portal, 5 % server errors on the form routes, the engine's Chromium SIGKILLed,
// duplicate traps ('error' now and then, 'hang' once), and the engine itself SIGKILLed and
// started again on the same data folder. The run ends when every job is final.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startPortalSim, type PortalSim, type PortalSimStats } from '@engine/portal-sim';
import { sampleProposal } from '@engine/portals';
import { EngineProcess, processesMentioning } from './engine-process';

/** A fault's pacing in jobs finished: the first after `first` (a [min, max] range), then one every `then`. */
export interface FaultPacing {
  first: readonly [number, number];
  then: readonly [number, number];
}

export interface ChaosPacing {
  sessionKill: FaultPacing;
  chromiumKill: FaultPacing;
  duplicateTrap: FaultPacing;
}

/** The long runs' pacing (the full-size test and bench/chaos.ts): a job meets about as many faults as in production-like runs of hundreds. */
export const FULL_PACING: ChaosPacing = {
  sessionKill: { first: [3, 10], then: [6, 16] },
  chromiumKill: { first: [12, 30], then: [20, 40] },
  duplicateTrap: { first: [8, 20], then: [12, 25] },
};

export interface ChaosOptions {
  jobs: number;
  engineKills: number;
  seed: number;
  concurrency?: number;
  /** How often each fault comes, in jobs finished; FULL_PACING when not given. */
  pacing?: ChaosPacing;
  /** Extra settings for the engine server (the CI run shortens the master session's recovery waits). */
  engineEnv?: Record<string, string>;
  /** The whole run gives up after this long (then the assertions show what is unfinished). */
  deadlineMs: number;
  log?: (line: string) => void;
}

/** What the jobs API shows of a job (the fields the chaos checks read). */
export interface ChaosJobView {
  jobId: string;
  businessKey: string;
  state: string;
  final: boolean;
  attempts: number;
  reference: string | null;
  failures: { failureType: string; stage: string; code: string; attempt: number }[];
}

export interface ChaosInjected {
  sessionKills: number;
  chromiumKills: number;
  duplicateTraps: { error: number; hang: number };
  engineKills: number;
  /** Chromium processes still alive 3 s after their engine was SIGKILLed (then killed by the run, as a supervisor would). */
  orphanedChromium: number;
}

export interface ChaosResult {
  jobs: ChaosJobView[];
  byState: Record<string, number>;
  sim: PortalSimStats;
  injected: ChaosInjected;
  elapsedMs: number;
  engineStarts: number;
  /** Processes that still mention the run's data folder after the engine was stopped (its Chromium). */
  leftoverProcesses: number[];
  dataDir: string;
}

const PASSWORD_REF = 'secret://portal-sim/login';

export async function runChaos(options: ChaosOptions): Promise<ChaosResult> {
  const log = options.log ?? (() => undefined);
  logError = log;
  const random = mulberry32(options.seed);
  const between = (min: number, max: number) => min + random() * (max - min);
  const started = Date.now();
  const deadline = started + options.deadlineMs;
  const dir = mkdtempSync(join(tmpdir(), 'engine-chaos-'));
  const secretsFile = join(dir, 'secrets.json');
  writeFileSync(secretsFile, JSON.stringify({ [PASSWORD_REF]: { username: 'agent', password: 'Secr3t!pass' } }), { mode: 0o600 });
  const sim: PortalSim = await startPortalSim({ testHooks: true, seed: options.seed });
  const engine = new EngineProcess({
    logFile: join(dir, 'engine.log'),
    env: {
      DATA_DIR: join(dir, 'data'),
      API_TOKEN: 'chaos-token-0123456789abcdef',
      SECRETS_FILE: secretsFile,
      PORTALS: JSON.stringify([{ adapter: 'portal-sim', options: { baseUrl: sim.url }, credentialsRef: PASSWORD_REF, captcha: 'portal-sim' }]),
      CONCURRENCY: String(options.concurrency ?? 3),
      JOB_RETRY_DELAY_MS: '300',
      SHUTDOWN_TIMEOUT_MS: '5000',
      BACKGROUND_AUDIT: 'false',
      LOG_LEVEL: 'warn',
      ...options.engineEnv,
    },
  });
  const injected: ChaosInjected = { sessionKills: 0, chromiumKills: 0, duplicateTraps: { error: 0, hang: 0 }, engineKills: 0, orphanedChromium: 0 };
  try {
    await engine.start();
    sim.faults.set({ errorRate: { '/Proposal/': 0.05 } });
    const run = `C${options.seed}`;
    const jobIds = await submitAll(engine, options.jobs, run, deadline);
    log(`${options.jobs} jobs submitted in ${((Date.now() - started) / 1000).toFixed(0)} s`);

    const now = () => Date.now();
    // Faults are paced by progress (jobs finished), not by the clock: a job then meets about
    // as many faults in its life on a loaded machine as on an idle one. Each kill ends the
    // attempts in flight, and a job has three.
    const pacing = options.pacing ?? FULL_PACING;
    const after = ([min, max]: readonly [number, number], finished: number) => finished + Math.round(between(min, max));
    let nextSessionKill = after(pacing.sessionKill.first, 0);
    let nextChromiumKill = after(pacing.chromiumKill.first, 0);
    let nextTrap = after(pacing.duplicateTrap.first, 0);
    let trapOn: { since: number; submissions: number } | null = null;
    let hangDone = false;
    let lastLine = '';
    for (;;) {
      if (now() > deadline) {
        log('deadline reached with jobs unfinished');
        break;
      }
      const stats = await engine.api<{ finished: number; byState: Record<string, number> }>('GET', '/api/jobs/stats').catch(() => null);
      const finished = stats?.finished ?? 0;
      const line = `${finished}/${options.jobs} final, engine start ${engine.starts}, ${JSON.stringify(stats?.byState ?? {})}`;
      if (line !== lastLine) log(`${((now() - started) / 1000).toFixed(0).padStart(4)} s  ${line}`);
      lastLine = line;
      if (stats && finished === options.jobs && injected.engineKills >= options.engineKills) break;

      // The engine crash: at evenly spread points of the run's progress.
      if (stats && injected.engineKills < options.engineKills && finished >= ((injected.engineKills + 1) * options.jobs) / (options.engineKills + 1) - between(0, options.jobs / 20)) {
        await crashAndRestart(engine, injected, log);
        continue;
      }
      if (finished >= nextSessionKill) {
        sim.killSessions();
        injected.sessionKills += 1;
        nextSessionKill = after(pacing.sessionKill.then, finished);
      }
      if (finished >= nextChromiumKill) {
        // No browser up (the engine just restarted): the kill waits for the next look.
        const pids = await engine.chromiumChildren();
        if (pids.length > 0) {
          killQuietly(pids[Math.floor(random() * pids.length)]);
          injected.chromiumKills += 1;
          nextChromiumKill = after(pacing.chromiumKill.then, finished);
        }
      }
      const submissions = totalSubmissions(sim.stats());
      if (trapOn && (submissions > trapOn.submissions || now() - trapOn.since > 20_000)) {
        sim.faults.set({ duplicateTrap: null });
        trapOn = null;
        nextTrap = after(pacing.duplicateTrap.then, finished);
      } else if (!trapOn && finished >= nextTrap) {
        // One 'hang' (the portal records it and never answers) once the run is under way, 'error' otherwise.
        const kind: 'hang' | 'error' = !hangDone && injected.duplicateTraps.error >= 1 ? 'hang' : 'error';
        hangDone ||= kind === 'hang';
        injected.duplicateTraps[kind] += 1;
        sim.faults.set({ duplicateTrap: kind });
        trapOn = { since: now(), submissions };
      }
      await sleep(300);
    }
    sim.faults.reset();
    const jobs = await listJobs(engine, deadline + 60_000);
    const known = new Set(jobIds);
    const byState: Record<string, number> = {};
    for (const job of jobs) if (known.has(job.jobId)) byState[job.state] = (byState[job.state] ?? 0) + 1;
    const elapsedMs = Date.now() - started;
    await engine.close();
    await sleep(500);
    const leftoverProcesses = processesMentioning(dir);
    return { jobs, byState, sim: sim.stats(), injected, elapsedMs, engineStarts: engine.starts, leftoverProcesses, dataDir: dir };
  } finally {
    await engine.close().catch(() => undefined);
    for (const pid of processesMentioning(dir)) killQuietly(pid);
    await sim.close();
    if (process.env.CHAOS_KEEP_DIR) log(`data folder kept: ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  }
}

async function submitAll(engine: EngineProcess, jobs: number, run: string, deadline: number): Promise<string[]> {
  const ids: string[] = new Array(jobs);
  let next = 0;
  const worker = async () => {
    while (next < jobs) {
      const n = next++;
      const body = { portal: 'portal-sim', payload: sampleProposal(n, run), externalId: `${run}-${n}` };
      const { jobId } = await retrying(deadline, () => engine.api<{ jobId: string }>('POST', '/api/jobs', body, { 'idempotency-key': `${run}-${n}` }));
      ids[n] = jobId;
    }
  };
  await Promise.all([worker(), worker(), worker(), worker()]);
  return ids;
}

async function listJobs(engine: EngineProcess, deadline: number): Promise<ChaosJobView[]> {
  const jobs: ChaosJobView[] = [];
  let cursor: string | null = null;
  do {
    const query: string = cursor ? `&cursor=${cursor}` : '';
    const page: { jobs: ChaosJobView[]; next: string | null } = await retrying(deadline, () => engine.api('GET', `/api/jobs?limit=500${query}`));
    jobs.push(...page.jobs);
    cursor = page.next;
  } while (cursor);
  return jobs;
}

async function crashAndRestart(engine: EngineProcess, injected: ChaosInjected, log: (line: string) => void): Promise<void> {
  const pid = engine.pid as number;
  const browsers = await engine.chromiumChildren();
  await engine.kill();
  injected.engineKills += 1;
  // The browsers' pipes closed with the engine; they should exit on their own. Any still up
  // 3 s later is counted, then killed like a supervisor cleaning the dead service's processes.
  const givenUp = Date.now() + 3_000;
  while (browsers.some(alive) && Date.now() < givenUp) await sleep(100);
  const survivors = browsers.filter(alive);
  injected.orphanedChromium += survivors.length;
  for (const survivor of survivors) killQuietly(survivor);
  log(`engine ${pid} SIGKILLed (kill ${injected.engineKills}); ${survivors.length} of its ${browsers.length} Chromium outlived it; restarting`);
  await engine.start();
}

/** Distinct API errors seen (the first of each kind is logged): a refused request is a finding, not noise. */
const seenErrors = new Set<string>();
let logError: (line: string) => void = () => undefined;

async function retrying<T>(deadline: number, call: () => Promise<T>): Promise<T> {
  for (;;) {
    try {
      return await call();
    } catch (error) {
      const kind = String((error as Error).message ?? error).replace(/[A-Za-z0-9_-]{22}/g, '<id>').slice(0, 160);
      if (!seenErrors.has(kind)) {
        seenErrors.add(kind);
        logError(`API call failed (retrying): ${kind}`);
      }
      // The engine is down (crash, restart) or busy: the same request again is safe (idempotency key).
      if (Date.now() > deadline) throw error;
      await sleep(500);
    }
  }
}

function totalSubmissions(stats: PortalSimStats): number {
  return Object.values(stats.submissions).reduce((sum, n) => sum + n, 0);
}

/** Running, not a zombie waiting to be reaped. */
function alive(pid: number): boolean {
  try {
    return !/\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

function killQuietly(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A small seeded PRNG, so a run's fault schedule can be replayed with its seed. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
