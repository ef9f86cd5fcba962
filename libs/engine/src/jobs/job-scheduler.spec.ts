// The scheduler on the memory store, the real job and master-session machines and fake effects,
// woken by the host's read feed: bounded concurrency, FIFO, halting while the master session is
// not ready, graceful stop; per-portal limits (concurrency, start spacing and budget, quiet hours)
// and fairness between portals, all on a simulated clock.
import { ActorHost, MemoryLogger, SimulatedClock, type EffectRegistry, type EngineEvent } from '@engine/core';
import { MemoryEventStore } from '@engine/event-store';
import { JOB_MACHINE, MASTER_SESSION_MACHINE, PORTAL_QUEUE_MACHINE, type CloneSessionParams, type FillStepParams, type ProbeSessionParams, type SubmitFormParams } from '@engine/machines';
import type { PressureCause } from './host-pressure';
import { JobScheduler } from './job-scheduler';
import type { PortalLimits } from './portal-limits';

const settle = async () => {
  for (let i = 0; i < 30; i++) await new Promise((r) => setImmediate(r));
};

function fakes(clock: SimulatedClock) {
  const at = () => new Date(clock.now()).toISOString();
  const gates: { jobId: string; open: (failCode?: string) => void }[] = [];
  const started: string[] = [];
  const submitted: string[] = [];
  let masterLogin: () => EngineEvent = () => ({ type: 'LOGGED_IN', at: at() });
  const validations: string[] = [];
  let validate: (n: number) => EngineEvent = () => ({ type: 'SESSION_VALID', at: at() });
  let reportsReachTheSession = true;
  const effects: EffectRegistry = {
    cloneSession: {
      run: async (p: CloneSessionParams) => {
        started.push(p.jobId);
        return { type: 'CLONED', at: at() };
      },
    },
    validateSession: {
      run: async (p: { jobId: string }) => {
        validations.push(p.jobId);
        return validate(validations.length);
      },
    },
    reportSessionFailure: {
      run: async (p: { portal: string; jobId: string; reason: string }, ctx) => {
        if (reportsReachTheSession) await ctx.send(`master-${p.portal}`, { type: 'FAILURE_REPORTED', jobId: p.jobId, reason: p.reason, at: at() });
        return { type: 'SESSION_FAILURE_REPORTED', at: at() };
      },
    },
    // A re-login (soft recovery) succeeds a moment after whatever reported the failure.
    relogin: {
      run: async () => {
        const outcome = masterLogin();
        return outcome.type === 'LOGGED_IN' ? { ...outcome, at: new Date(clock.now() + 5).toISOString() } : outcome;
      },
    },
    fillStep: {
      run: (p: FillStepParams, ctx) =>
        new Promise<EngineEvent>((resolve, reject) => {
          gates.push({
            jobId: p.jobId,
            open: (failCode) => resolve(failCode ? { type: 'STEP_FAILED', step: p.step, code: failCode, artifactRef: null, at: at() } : { type: 'STEP_FILLED', step: p.step, at: at() }),
          });
          ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason));
        }),
    },
    submitForm: {
      run: async (p: SubmitFormParams) => {
        submitted.push(p.jobId);
        return { type: 'SUBMITTED', reference: `REF-${p.jobId}`, at: at() };
      },
    },
    closeClone: { run: async () => undefined },
    launchBrowser: { run: async () => ({ type: 'BROWSER_LAUNCHED' }) },
    login: { run: async () => masterLogin() },
    probeSession: { run: async (p: ProbeSessionParams) => ({ type: 'PROBE_OK', probe: p.probe, at: at() }) },
  };
  return {
    effects,
    started,
    submitted,
    openGates: (only: (jobId: string) => boolean = () => true, failCode?: string) => {
      const due = gates.filter((g) => only(g.jobId));
      for (const g of due) gates.splice(gates.indexOf(g), 1);
      due.forEach((g) => g.open(failCode));
    },
    validations,
    meetLoginForm: (onValidation: (n: number) => boolean) =>
      (validate = (n) => (onValidation(n) ? { type: 'LOGIN_FORM_SEEN', artifactRef: null, at: at() } : { type: 'SESSION_VALID', at: at() })),
    loseReports: () => (reportsReachTheSession = false),
    failMasterLogin: () => (masterLogin = () => ({ type: 'LOGIN_FAILED', error: { code: 'LOGIN_REJECTED', message: 'no' } })),
  };
}

describe('JobScheduler', () => {
  let store: MemoryEventStore;
  let clock: SimulatedClock;
  let host: ActorHost;
  let fake: ReturnType<typeof fakes>;
  let scheduler: JobScheduler;

  const job = (n: number) =>
    host.create('job', `j${n}`, {
      jobId: `j${n}`,
      portal: 'sim',
      payload: { n },
      businessKey: `K${n}`,
      steps: ['vehicle'],
      createdAt: new Date(clock.now() + n).toISOString(),
    });
  const values = async () => Promise.all([...Array(6).keys()].map(async (n) => (await host.getState(`job-j${n}`))?.state.value));

  beforeEach(async () => {
    store = new MemoryEventStore();
    clock = new SimulatedClock();
    fake = fakes(clock);
    host = new ActorHost({ store, clock, definitions: [JOB_MACHINE, MASTER_SESSION_MACHINE, PORTAL_QUEUE_MACHINE], effects: fake.effects });
  });

  afterEach(async () => {
    await host.stop(100);
  });

  async function startWith(concurrency: number, portalLimits?: Record<string, PortalLimits>, logger?: MemoryLogger, hostPressure?: () => PressureCause | null) {
    scheduler = new JobScheduler({ host, clock, concurrency, portalLimits, logger, hostPressure });
    scheduler.start();
  }

  it('holds every job while the portal has no ready master session, then runs them FIFO, at most `concurrency` at once', async () => {
    for (let n = 5; n >= 0; n--) await job(n);
    await startWith(2);
    await settle();
    expect(fake.started).toEqual([]);
    expect(scheduler.status()).toMatchObject({ inFlight: 0, queued: 6, halted: [{ portal: 'sim', masterState: 'absent' }] });

    await host.create('master-session', 'sim', { portal: 'sim', credentialsRef: 'secret://sim' });
    await settle();
    expect(fake.started).toEqual(['j0', 'j1']);
    expect(scheduler.status()).toMatchObject({ inFlight: 2, queued: 4, halted: [] });

    fake.openGates();
    await settle();
    expect(fake.submitted).toEqual(['j0', 'j1']);
    expect(fake.started).toEqual(['j0', 'j1', 'j2', 'j3']);
    fake.openGates();
    await settle();
    fake.openGates();
    await settle();
    expect(fake.submitted).toEqual(['j0', 'j1', 'j2', 'j3', 'j4', 'j5']);
    expect(await values()).toEqual(Array(6).fill('submitted'));
  });

  it('halts while the master session recovers and resumes when it is ready again', async () => {
    await host.create('master-session', 'sim', { portal: 'sim', credentialsRef: 'secret://sim' });
    await startWith(3);
    await job(0);
    await settle();
    expect(fake.started).toEqual(['j0']);
    fake.failMasterLogin();
    await host.send('master-sim', { type: 'FAILURE_REPORTED', jobId: 'j0', reason: 'login_form', at: new Date(clock.now() + 1).toISOString() });
    await settle();
    await job(1);
    await settle();
    expect(fake.started).toEqual(['j0']);
    expect(scheduler.status().halted).toEqual([{ portal: 'sim', masterState: 'recovering' }]);
  });

  it('a job that met the login form is retried as soon as the master session is logged in again, not at its retry timer', async () => {
    await host.create('master-session', 'sim', { portal: 'sim', credentialsRef: 'secret://sim' });
    // The first validation meets the login form; the job reports it, the session re-logs in.
    fake.meetLoginForm((n) => n === 1);
    await job(0);
    await startWith(3);
    await settle();
    fake.openGates();
    await settle();
    expect(fake.validations).toEqual(['j0', 'j0']);
    expect(fake.submitted).toEqual(['j0']);
    const events = await store.read('job-j0');
    const types = events.map((e) => e.type);
    expect(types).toContain('LOGIN_FORM_SEEN');
    expect(types).toContain('SESSION_READY');
    expect(types).not.toContain('TIMER.retry');
    expect((await store.read('master-sim')).map((e) => e.type)).toContain('FAILURE_REPORTED');
    // The retry came from the session being healthy again, with no simulated time passing for the timer.
    expect(clock.now()).toBeLessThan(Date.parse(String(events.find((e) => e.type === 'LOGIN_FORM_SEEN')?.meta.at)) + 60_000);
  });

  it('a job that met the login form after the session last logged in waits for the recovery its report starts', async () => {
    await host.create('master-session', 'sim', { portal: 'sim', credentialsRef: 'secret://sim' });
    await settle();
    await clock.advance(1_000);
    fake.meetLoginForm(() => true);
    // The report is lost on the way: the session stays ready, logged in before the job saw the form.
    fake.loseReports();
    await job(0);
    await startWith(3);
    await settle();
    expect((await host.getState('job-j0'))?.state.value).toBe('failed_login_form');
    expect((await store.read('job-j0')).map((e) => e.type)).not.toContain('SESSION_READY');
  });

  it('starts no job of a paused portal, lets the running ones finish, and starts them again on resume', async () => {
    await host.create('master-session', 'sim', { portal: 'sim', credentialsRef: 'secret://sim' });
    await startWith(3);
    await job(0);
    await settle();
    expect(fake.started).toEqual(['j0']);
    await host.create(PORTAL_QUEUE_MACHINE, 'sim', { portal: 'sim' });
    await host.sendTo(PORTAL_QUEUE_MACHINE, 'sim', { type: 'PAUSE', by: 'inspector', at: new Date(clock.now()).toISOString() });
    await job(1);
    await job(2);
    await settle();
    expect(fake.started).toEqual(['j0']);
    expect(scheduler.status()).toMatchObject({ queued: 2, paused: ['sim'] });
    fake.openGates();
    await settle();
    expect(fake.submitted).toEqual(['j0']);
    expect(fake.started).toEqual(['j0']);
    expect((await values()).slice(0, 3)).toEqual(['submitted', 'pending', 'pending']);

    await host.sendTo(PORTAL_QUEUE_MACHINE, 'sim', { type: 'RESUME', by: 'api', at: new Date(clock.now()).toISOString() });
    await settle();
    expect(fake.started).toEqual(['j0', 'j1', 'j2']);
    expect(scheduler.status().paused).toEqual([]);
    fake.openGates();
    await settle();
    expect((await values()).slice(0, 3)).toEqual(['submitted', 'submitted', 'submitted']);
  });

  it('a graceful stop interrupts attempts that have not clicked, and they go back to pending', async () => {
    await host.create('master-session', 'sim', { portal: 'sim', credentialsRef: 'secret://sim' });
    await job(0);
    await startWith(3);
    await settle();
    expect((await host.getState('job-j0'))?.state.value).toBe('filling');
    const result = await scheduler.stop(100);
    expect(result).toMatchObject({ interrupted: ['job-j0'], leftSubmitting: [] });
    const state = await host.getState('job-j0');
    expect(state?.state.value).toBe('pending');
    expect((state?.state.context as { attempt: number }).attempt).toBe(1);
    fake.openGates(); // the cut fill answers late: ignored, the job stays pending
    await settle();
    expect((await host.getState('job-j0'))?.state.value).toBe('pending');
  });

  describe('per-portal limits and fairness', () => {
    const portalJob = (portal: string, n: number) =>
      host.create('job', `${portal}${n}`, {
        jobId: `${portal}${n}`,
        portal,
        payload: { n },
        businessKey: `${portal}-K${n}`,
        steps: ['vehicle'],
        createdAt: new Date(clock.now() + n).toISOString(),
      });
    const sessions = async (...portals: string[]) => {
      for (const portal of portals) await host.create('master-session', portal, { portal, credentialsRef: `secret://${portal}` });
    };
    const startedOf = (portal: string) => fake.started.filter((id) => id.startsWith(portal));

    it('a slow portal queued first does not take every slot: a freed slot goes to the portal with fewer attempts in flight', async () => {
      await sessions('slow', 'fast');
      for (let n = 0; n < 4; n++) await portalJob('slow', n);
      for (let n = 10; n < 14; n++) await portalJob('fast', n);
      await startWith(2);
      await settle();
      // FIFO alone would start slow0 and slow1; fairness gives each portal one slot.
      expect(fake.started).toEqual(['slow0', 'fast10']);
      for (let round = 0; round < 3; round++) {
        fake.openGates((id) => id.startsWith('fast'));
        await settle();
        // Each freed slot goes back to the fast portal: it has fewer attempts in flight.
        expect(startedOf('slow')).toEqual(['slow0']);
      }
      expect(fake.submitted).toEqual(['fast10', 'fast11', 'fast12']);
      // The fast portal's last job ends: with nothing of it queued, the slow one gets the slot too.
      fake.openGates((id) => id.startsWith('fast'));
      await settle();
      expect(fake.submitted).toEqual(['fast10', 'fast11', 'fast12', 'fast13']);
      expect(startedOf('slow')).toEqual(['slow0', 'slow1']);
      expect(scheduler.portalLoad()).toEqual([
        { portal: 'fast', queued: 0, running: 0, waitingForRate: 0, waitingForQuietHours: 0, waitingForSession: 0, concurrencyLimit: null, adaptive: null },
        { portal: 'slow', queued: 2, running: 2, waitingForRate: 0, waitingForQuietHours: 0, waitingForSession: 0, concurrencyLimit: null, adaptive: null },
      ]);
    });

    it("keeps each portal under its own concurrency while the global cap has room, and the sum under the global cap", async () => {
      await sessions('a', 'b');
      for (let n = 0; n < 5; n++) await portalJob('a', n);
      for (let n = 10; n < 15; n++) await portalJob('b', n);
      await startWith(4, { a: { concurrency: 1 } });
      await settle();
      expect(startedOf('a')).toEqual(['a0']);
      expect(startedOf('b')).toEqual(['b10', 'b11', 'b12']);
      expect(scheduler.status().inFlight).toBe(4);
      fake.openGates((id) => id === 'a0');
      await settle();
      expect(startedOf('a')).toEqual(['a0', 'a1']);
      expect(startedOf('b')).toEqual(['b10', 'b11', 'b12']);
    });

    it('spaces starts and keeps to the per-minute budget, waking on the clock when the limit opens', async () => {
      await sessions('r');
      for (let n = 0; n < 5; n++) await portalJob('r', n);
      await startWith(10, { r: { minSubmitSpacingMs: 1_000, submitsPerMinute: 3 } });
      await settle();
      expect(startedOf('r')).toEqual(['r0']);
      expect(scheduler.portalLoad()).toEqual([{ portal: 'r', queued: 4, running: 1, waitingForRate: 4, waitingForQuietHours: 0, waitingForSession: 0, concurrencyLimit: null, adaptive: null }]);
      await clock.advance(999);
      await settle();
      expect(startedOf('r')).toEqual(['r0']);
      await clock.advance(1);
      await settle();
      expect(startedOf('r')).toEqual(['r0', 'r1']);
      await clock.advance(1_000);
      await settle();
      expect(startedOf('r')).toEqual(['r0', 'r1', 'r2']);
      // Three in this minute: the fourth waits until the first leaves the window, 60 s after it.
      await clock.advance(57_999);
      await settle();
      expect(startedOf('r')).toHaveLength(3);
      await clock.advance(1);
      await settle();
      expect(startedOf('r')).toEqual(['r0', 'r1', 'r2', 'r3']);
    });

    it('starts nothing of a portal in its quiet hours (the others run) and starts its jobs when the window ends', async () => {
      // The simulated clock starts at 2026-01-01T00:00Z.
      await sessions('q', 'o');
      await portalJob('q', 0);
      await portalJob('o', 10);
      await startWith(3, { q: { quietHours: [{ from: '23:00', to: '00:30' }] } });
      await settle();
      expect(fake.started).toEqual(['o10']);
      expect(scheduler.portalLoad()).toContainEqual({ portal: 'q', queued: 1, running: 0, waitingForRate: 0, waitingForQuietHours: 1, waitingForSession: 0, concurrencyLimit: null, adaptive: null });
      await clock.advance(30 * 60_000 - 1);
      await settle();
      expect(startedOf('q')).toEqual([]);
      await clock.advance(1);
      await settle();
      expect(startedOf('q')).toEqual(['q0']);
    });

    it('counts queued jobs of a portal without a ready master session as waiting for the session', async () => {
      await portalJob('w', 0);
      await portalJob('w', 1);
      await startWith(3);
      await settle();
      expect(scheduler.portalLoad()).toEqual([{ portal: 'w', queued: 2, running: 0, waitingForRate: 0, waitingForQuietHours: 0, waitingForSession: 2, concurrencyLimit: null, adaptive: null }]);
    });

    it('adaptive concurrency halves the portal limit when its attempts time out together, and raises it after a healthy round; each change logged', async () => {
      const logger = new MemoryLogger();
      await sessions('ad');
      for (let n = 0; n < 12; n++) await portalJob('ad', n);
      await startWith(10, { ad: { concurrency: 4, adaptive: { floor: 1 } } }, logger);
      await settle();
      expect(startedOf('ad')).toHaveLength(4);
      expect(scheduler.portalLoad()[0]).toMatchObject({ running: 4, concurrencyLimit: 4 });
      // All four time out at once: one halving (to 2), two new attempts.
      fake.openGates(() => true, 'TIMEOUT');
      await settle();
      expect(scheduler.portalLoad()[0]).toMatchObject({ running: 2, concurrencyLimit: 2 });
      expect(startedOf('ad')).toHaveLength(6);
      // A round of two successes at 2: up to 3.
      fake.openGates();
      await settle();
      expect(scheduler.portalLoad()[0]).toMatchObject({ running: 3, concurrencyLimit: 3 });
      expect(logger.lines.filter((l) => l.message === 'portal concurrency changed').map((l) => l.fields)).toEqual([
        { portal: 'ad', from: 4, to: 2, reason: 'strained', floor: 1, ceiling: 4 },
        { portal: 'ad', from: 2, to: 3, reason: 'healthy', floor: 1, ceiling: 4 },
      ]);
    });

    it('lowers an adaptive limit while the host is under CPU or memory pressure, even on successes, and shows the change', async () => {
      const logger = new MemoryLogger();
      let pressure: PressureCause | null = 'memory';
      await sessions('ad');
      for (let n = 0; n < 12; n++) await portalJob('ad', n);
      await startWith(10, { ad: { concurrency: 4, adaptive: { floor: 1 } } }, logger, () => pressure);
      await settle();
      fake.openGates((id) => id === 'ad0');
      await settle();
      expect(scheduler.portalLoad()[0]).toMatchObject({ concurrencyLimit: 2, adaptive: { floor: 1, ceiling: 4, lastChange: { from: 4, to: 2, reason: 'host_pressure', at: '2026-01-01T00:00:00.000Z' } } });
      expect(logger.lines.filter((l) => l.message === 'portal concurrency changed').map((l) => l.fields)).toEqual([{ portal: 'ad', from: 4, to: 2, reason: 'host_pressure', pressure: 'memory', floor: 1, ceiling: 4 }]);
      // The pressure gone, healthy rounds raise it again.
      pressure = null;
      for (let round = 0; round < 6 && scheduler.portalLoad()[0].concurrencyLimit !== 3; round++) {
        fake.openGates();
        await settle();
      }
      expect(scheduler.portalLoad()[0]).toMatchObject({ concurrencyLimit: 3, adaptive: { lastChange: { from: 2, to: 3, reason: 'healthy' } } });
    });

    it('a form the portal refused says nothing about load: the adaptive limit stays', async () => {
      await sessions('ad');
      for (let n = 0; n < 6; n++) await portalJob('ad', n);
      await startWith(10, { ad: { concurrency: 2, adaptive: { floor: 1 } } });
      await settle();
      fake.openGates(() => true, 'UNEXPECTED_PAGE');
      await settle();
      expect(scheduler.portalLoad()[0]).toMatchObject({ running: 2, concurrencyLimit: 2 });
    });
  });
});
