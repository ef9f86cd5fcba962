// The whole engine against real Chromium and the portal simulator: jobs go from intake to
// submitted through the master session, a session killed on the portal heals itself and the
// jobs still finish, each business key submitted exactly once.
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemorySecretProvider } from '@engine/core';
import { SqliteEventStore } from '@engine/event-store';
import { JOB_MACHINE, MASTER_SESSION_MACHINE } from '@engine/machines';
import { PortalSimAdapter, PortalSimCaptchaSolver, sampleProposal } from '@engine/portals';
import { startPortalSim, type PortalSim } from '@engine/portal-sim';
import { createEngine, type Engine } from './engine';

jest.setTimeout(600_000);

async function until<T>(what: string, probe: () => T | undefined | false, timeoutMs = 180_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('engine with Chromium and the portal simulator', () => {
  let sim: PortalSim;
  let dir: string;
  let engine: Engine;

  beforeAll(async () => {
    sim = await startPortalSim({ testHooks: true, seed: 7 });
    dir = mkdtempSync(join(tmpdir(), 'engine-int-'));
    const secrets = new MemorySecretProvider().set('secret://portal-sim/login', { username: 'agent', password: 'Secr3t!pass' });
    engine = createEngine({
      store: new SqliteEventStore(join(dir, 'events.db')),
      dataDir: dir,
      portals: [new PortalSimAdapter({ baseUrl: sim.url })],
      secrets,
      credentials: { 'portal-sim': 'secret://portal-sim/login' },
      captcha: () => new PortalSimCaptchaSolver(sim.url),
      concurrency: 3,
      job: { retryDelayMs: 500 },
      masterSession: { soft: { minWaitMs: 200, maxWaitMs: 400 }, hard: { minWaitMs: 200, maxWaitMs: 400 } },
    });
    await engine.start();
  });

  afterAll(async () => {
    await engine?.stop();
    await sim?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const jobState = (jobId: string) => engine.feed.getOf(JOB_MACHINE, jobId)?.state;
  const finished = (ids: string[]) => ids.every((id) => jobState(id)?.status === 'done');

  it('logs the master session in and submits jobs exactly once through clones', async () => {
    await until('master session ready', () => engine.feed.getOf(MASTER_SESSION_MACHINE, 'portal-sim')?.state.value === 'ready');
    const ids: string[] = [];
    for (let n = 0; n < 4; n++) {
      const { jobId } = await engine.intake.submitJob({ portal: 'portal-sim', payload: sampleProposal(n, 'int'), idempotencyKey: `int-${n}` });
      ids.push(jobId);
    }
    await until('jobs finished', () => finished(ids));
    for (const id of ids) {
      const state = jobState(id)!;
      expect(state.value).toBe('submitted');
      expect((state.context as { reference: string }).reference).toMatch(/^PRP-\d{4}-\d{6}$/);
    }
    const stats = sim.stats();
    for (let n = 0; n < 4; n++) expect(stats.submissions[sampleProposal(n, 'int').vehicle.chassisNo.toUpperCase()]).toBe(1);
    expect(stats.duplicates).toBe(0);
    expect(engine.jobEffects.openClones()).toBe(0);
  });

  it('a session killed on the portal is seen by the job, the master session heals itself, the job is retried and submitted once', async () => {
    sim.killSessions();
    const { jobId } = await engine.intake.submitJob({ portal: 'portal-sim', payload: sampleProposal(10, 'int'), idempotencyKey: 'int-10' });
    await until('job finished', () => finished([jobId]));
    const state = jobState(jobId)!;
    expect(state.value).toBe('submitted');
    const context = state.context as { attempt: number; failures: { failureType: string }[] };
    expect(context.attempt).toBe(2);
    expect(context.failures.map((f) => f.failureType)).toEqual(['login_form']);
    const master = await engine.store.read('master-portal-sim');
    expect(master.map((e) => e.type)).toContain('FAILURE_REPORTED');
    expect(engine.feed.getOf(MASTER_SESSION_MACHINE, 'portal-sim')?.state.value).toBe('ready');
    expect(sim.stats().submissions[sampleProposal(10, 'int').vehicle.chassisNo.toUpperCase()]).toBe(1);
  });

  it('a master browser SIGKILLed mid-batch: hard recovery, in-flight operations cancelled by one root cause, every job still submitted once', async () => {
    await until('master session ready', () => engine.feed.getOf(MASTER_SESSION_MACHINE, 'portal-sim')?.state.value === 'ready');
    const before = (await engine.store.read('master-portal-sim')).length;
    const ids: string[] = [];
    for (let n = 20; n < 26; n++) ids.push((await engine.intake.submitJob({ portal: 'portal-sim', payload: sampleProposal(n, 'int'), idempotencyKey: `int-${n}` })).jobId);
    await until('an attempt in flight', () => ids.some((id) => ['validating', 'filling'].includes(String(jobState(id)?.value))));
    const master = engine.masterSessions.source('portal-sim')!.browser;
    process.kill(master.pid as number, 'SIGKILL');
    await until('jobs finished', () => finished(ids));
    for (const id of ids) expect(jobState(id)?.value).toBe('submitted');
    for (let n = 20; n < 26; n++) expect(sim.stats().submissions[sampleProposal(n, 'int').vehicle.chassisNo.toUpperCase()]).toBe(1);
    const after = (await engine.store.read('master-portal-sim')).slice(before);
    expect(after.map((e) => e.type)).toContain('BROWSER_LOST');
    const recovery = engine.feed.getOf(MASTER_SESSION_MACHINE, 'portal-sim')!.state.context.recovery!;
    expect(recovery.trigger.kind).toBe('browserLost');
    expect(recovery.attempts[0].level).toBe('hard');
    const operations = engine.operations();
    expect(operations.rootCause?.reason).toMatch(/browser (crashed|closed)/);
    expect(operations.total).toBe(operations.succeeded + operations.failed + operations.cancelled + operations.waiting + operations.running);
  });

  it('a profile another host holds locked: hard recovery cannot relaunch, nuclear backs up, wipes and logs in fresh', async () => {
    await until('master session ready', () => engine.feed.getOf(MASTER_SESSION_MACHINE, 'portal-sim')?.state.value === 'ready');
    const master = engine.masterSessions.source('portal-sim')!.browser;
    const lock = join(dir, 'profiles', 'portal-sim', 'SingletonLock');
    process.kill(master.pid as number, 'SIGKILL');
    // Synchronously, before the disconnect is even noticed: the profile now looks in use elsewhere.
    rmSync(lock, { force: true });
    symlinkSync('otherhost.example-4242', lock);
    await until('nuclear recovery done', () => {
      const c = engine.feed.getOf(MASTER_SESSION_MACHINE, 'portal-sim')!.state.context;
      return engine.feed.getOf(MASTER_SESSION_MACHINE, 'portal-sim')?.state.value === 'ready' && c.recovery?.attempts.some((a) => a.level === 'nuclear');
    });
    const recovery = engine.feed.getOf(MASTER_SESSION_MACHINE, 'portal-sim')!.state.context.recovery!;
    expect(recovery.attempts.map((a) => [a.level, a.outcome])).toEqual([
      ['hard', 'failed'],
      ['hard', 'failed'],
      ['nuclear', 'succeeded'],
    ]);
    expect(recovery.backupRef).toEqual(expect.any(String));
    const { jobId } = await engine.intake.submitJob({ portal: 'portal-sim', payload: sampleProposal(40, 'int'), idempotencyKey: 'int-40' });
    await until('job finished', () => finished([jobId]));
    expect(jobState(jobId)?.value).toBe('submitted');
  });
});
