// Issue 7's chaos test: jobs through the engine server while everything fails around it
// (portal sessions killed, 5 % server errors on the form, Chromium SIGKILLed, duplicate traps,
// the engine itself SIGKILLed and restarted). Every job must end final, the portal must hold no
// duplicate, and every submission it holds must belong to a job that knows it (submitted, or
// needs_review with its reason).
// In CI: 40 jobs, 3 engine kills, the faults paced closer together (every kind still comes, more
// than once but for the hang) and the master session's recovery waits cut to seconds, so the
// run spends its time on jobs and faults rather than on waits. `npm run chaos -- --full`
// (CHAOS_FULL=1) runs the full size: 200 jobs, 5 kills, the long pacing, default waits. The
// longer run still is bench/chaos.ts.
import { FULL_PACING, runChaos, type ChaosPacing, type ChaosResult } from './chaos-run';
import { chaosReport } from './chaos-report';

const FULL = process.env.CHAOS_FULL === '1';
const CI_PACING: ChaosPacing = {
  sessionKill: { first: [2, 5], then: [4, 8] },
  chromiumKill: { first: [4, 8], then: [8, 14] },
  duplicateTrap: { first: [3, 6], then: [5, 9] },
};
const CI_ENGINE_ENV = {
  RECOVERY_SOFT_MIN_WAIT_MS: '1000',
  RECOVERY_SOFT_MAX_WAIT_MS: '2000',
  RECOVERY_HARD_MIN_WAIT_MS: '2000',
  RECOVERY_HARD_MAX_WAIT_MS: '4000',
  RECOVERY_NUCLEAR_MIN_WAIT_MS: '3000',
  RECOVERY_NUCLEAR_MAX_WAIT_MS: '6000',
  MASTER_CRITICAL_HEARTBEAT_MS: '5000',
};
const JOBS = FULL ? 200 : 40;
const ENGINE_KILLS = FULL ? 5 : 3;

// Bounds, not expectations: the full run took 35 min on the shared 2-core machine at load
// average 50-65 (engine starts from source alone took 1-2 min each there); far less on an idle one.
jest.setTimeout(3_600_000);

describe(`chaos: ${JOBS} jobs, faults everywhere, the engine killed ${ENGINE_KILLS} times`, () => {
  let result: ChaosResult;

  beforeAll(async () => {
    result = await runChaos({
      jobs: JOBS,
      engineKills: ENGINE_KILLS,
      pacing: FULL ? FULL_PACING : CI_PACING,
      engineEnv: FULL ? {} : CI_ENGINE_ENV,
      seed: Number(process.env.CHAOS_SEED ?? 20260707),
      deadlineMs: 3_000_000,
      log: (line) => process.stdout.write(`[chaos] ${line}\n`),
    });
    console.log(chaosReport(result));
  });

  it(`injected every kind of fault, and killed and restarted the engine ${ENGINE_KILLS} times`, () => {
    expect(result.injected.engineKills).toBe(ENGINE_KILLS);
    expect(result.engineStarts).toBe(ENGINE_KILLS + 1);
    expect(result.injected.sessionKills).toBeGreaterThan(0);
    expect(result.injected.chromiumKills).toBeGreaterThan(0);
    expect(result.injected.duplicateTraps.error).toBeGreaterThan(0);
    expect(result.injected.duplicateTraps.hang).toBe(1);
  });

  it('every job is in a final state', () => {
    expect(result.jobs).toHaveLength(JOBS);
    expect(result.jobs.filter((job) => !job.final).map((job) => `${job.jobId}: ${job.state}`)).toEqual([]);
  });

  it('the portal holds no duplicate submission', () => {
    expect(result.sim.duplicates).toBe(0);
    expect(result.sim.extraSubmissions).toBe(0);
    expect(Object.values(result.sim.submissions).filter((n) => n !== 1)).toEqual([]);
  });

  it('every submission the portal holds belongs to a job that is submitted, or needs review with its reason', () => {
    const byKey = new Map(result.jobs.map((job) => [job.businessKey, job]));
    const unaccounted: string[] = [];
    for (const key of Object.keys(result.sim.submissions)) {
      const job = byKey.get(key);
      const reviewed = job?.state === 'needs_review' && job.failures.some((f) => f.failureType === 'lookup_failed' && f.code !== '');
      if (!job || !(job.state === 'submitted' || reviewed)) unaccounted.push(`${key}: ${job ? job.state : 'no job'}`);
    }
    expect(unaccounted).toEqual([]);
  });

  it('a submitted job carries the reference of its one submission', () => {
    const submitted = result.jobs.filter((job) => job.state === 'submitted');
    expect(submitted.length).toBeGreaterThan(0);
    for (const job of submitted) {
      expect(job.reference).toMatch(/^PRP-\d{4}-\d{6}$/);
      expect(result.sim.submissions[job.businessKey]).toBe(1);
    }
  });

  it('leaves no engine or Chromium process behind', () => {
    expect(result.leftoverProcesses).toEqual([]);
  });
});
