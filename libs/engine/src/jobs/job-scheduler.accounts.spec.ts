// The scheduler with several accounts on one portal, on the memory store, the real job and
// master-session machines and fake effects, on a simulated clock: each START names the
// least-loaded ready account, an account's share holds, an account in recovery does not halt the
// others, the portal halts only when no account is ready, and a job that met the login form on
// one account is retried at once on another.
import { ActorHost, SimulatedClock, type EffectRegistry, type EngineEvent } from '@engine/core';
import { MemoryEventStore } from '@engine/event-store';
import { JOB_MACHINE, MASTER_SESSION_MACHINE, PORTAL_QUEUE_MACHINE, type FillStepParams, type JobContext } from '@engine/machines';
import { JobScheduler, type SchedulerAccount } from './job-scheduler';

const settle = async () => {
  for (let i = 0; i < 30; i++) await new Promise((r) => setImmediate(r));
};

const ACCOUNTS: SchedulerAccount[] = [
  { id: 'first', masterSession: 'master-sim' },
  { id: 'second', masterSession: 'master-sim.second' },
  { id: 'third', masterSession: 'master-sim.third' },
];

describe('JobScheduler with accounts', () => {
  let clock: SimulatedClock;
  let store: MemoryEventStore;
  let host: ActorHost;
  let scheduler: JobScheduler;
  const gates: { jobId: string; open: () => void }[] = [];
  let loginFormOn = new Set<string>();
  let loginFails = new Set<string>();

  const at = () => new Date(clock.now()).toISOString();
  const effects = (): EffectRegistry => ({
    cloneSession: { run: async () => ({ type: 'CLONED', at: at() }) },
    validateSession: {
      run: async (_p: unknown, ctx) => {
        const session = (ctx.state.context as JobContext).masterSession ?? 'master-sim';
        return loginFormOn.has(session) ? { type: 'LOGIN_FORM_SEEN', artifactRef: null, at: at() } : { type: 'SESSION_VALID', at: at() };
      },
    },
    reportSessionFailure: {
      run: async (p: { jobId: string; reason: string }, ctx) => {
        await ctx.send((ctx.state.context as JobContext).masterSession ?? 'master-sim', { type: 'FAILURE_REPORTED', jobId: p.jobId, reason: p.reason, at: at() });
        return { type: 'SESSION_FAILURE_REPORTED', at: at() };
      },
    },
    fillStep: {
      run: (p: FillStepParams, ctx) =>
        new Promise<EngineEvent>((resolve, reject) => {
          gates.push({ jobId: p.jobId, open: () => resolve({ type: 'STEP_FILLED', step: p.step, at: at() }) });
          ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason));
        }),
    },
    submitForm: { run: async (p: { jobId: string }) => ({ type: 'SUBMITTED', reference: `REF-${p.jobId}`, at: at() }) },
    closeClone: { run: async () => undefined },
    launchBrowser: { run: async () => ({ type: 'BROWSER_LAUNCHED' }) },
    closeBrowser: { run: async () => ({ type: 'BROWSER_CLOSED' }) },
    login: { run: async (_p: unknown, ctx) => (loginFails.has(ctx.stream) ? { type: 'LOGIN_FAILED', error: { code: 'LOGIN_REJECTED', message: 'no' } } : { type: 'LOGGED_IN', at: at() }) },
    relogin: { run: async (_p: unknown, ctx) => (loginFails.has(ctx.stream) ? { type: 'LOGIN_FAILED', error: { code: 'LOGIN_REJECTED', message: 'no' } } : { type: 'LOGGED_IN', at: new Date(clock.now() + 5).toISOString() }) },
    probeSession: { run: async (p: { probe: number }) => ({ type: 'PROBE_OK', probe: p.probe, at: at() }) },
  });

  const job = (n: number) =>
    host.create('job', `j${n}`, { jobId: `j${n}`, portal: 'sim', payload: { n }, businessKey: `K${n}`, steps: ['vehicle'], createdAt: new Date(clock.now() + n).toISOString() });
  const master = (id: string) => host.create('master-session', id, { portal: 'sim', credentialsRef: `secret://sim/${id}` });
  const startsOf = async (jobId: string) => (await store.read(`job-${jobId}`)).filter((e) => e.type === 'START').map((e) => (e.data as { account?: string }).account);
  const openGates = () => gates.splice(0).forEach((g) => g.open());

  beforeEach(() => {
    clock = new SimulatedClock();
    store = new MemoryEventStore();
    gates.length = 0;
    loginFormOn = new Set();
    loginFails = new Set();
    host = new ActorHost({ store, clock, definitions: [JOB_MACHINE, MASTER_SESSION_MACHINE, PORTAL_QUEUE_MACHINE], effects: effects() });
  });

  afterEach(async () => {
    await host.stop(100);
  });

  const start = (accounts: SchedulerAccount[] = ACCOUNTS, concurrency = 6) => {
    scheduler = new JobScheduler({ host, clock, concurrency, portalAccounts: { sim: accounts } });
    scheduler.start();
  };

  it('spreads attempts over the ready accounts, least loaded first, and records the account with each START', async () => {
    for (const id of ['sim', 'sim.second', 'sim.third']) await master(id);
    for (let n = 0; n < 6; n++) await job(n);
    start();
    await settle();
    const accounts = await Promise.all([...Array(6).keys()].map(async (n) => (await startsOf(`j${n}`))[0]));
    expect(accounts).toEqual(['first', 'second', 'third', 'first', 'second', 'third']);
    expect((await host.getState('job-j1'))?.state.context).toMatchObject({ account: 'second', masterSession: 'master-sim.second' });
    expect(scheduler.accountLoad().map((a) => [a.account, a.running])).toEqual([
      ['first', 2],
      ['second', 2],
      ['third', 2],
    ]);
    openGates();
    await settle();
    // The search after a click goes through the account that clicked.
    expect((await host.getState('job-j2'))?.state).toMatchObject({ value: 'submitted', context: { submittedVia: { account: 'third', masterSession: 'master-sim.third' } } });
  });

  it("keeps each account within its share: a full account's jobs wait for one of its attempts to end", async () => {
    for (const id of ['sim', 'sim.second']) await master(id);
    for (let n = 0; n < 5; n++) await job(n);
    start([{ ...ACCOUNTS[0], concurrency: 1 }, { ...ACCOUNTS[1], concurrency: 2 }]);
    await settle();
    expect(scheduler.accountLoad().map((a) => [a.account, a.running])).toEqual([
      ['first', 1],
      ['second', 2],
    ]);
    expect(scheduler.status()).toMatchObject({ inFlight: 3, queued: 2, halted: [] });
    openGates();
    await settle();
    expect(scheduler.status()).toMatchObject({ inFlight: 2, queued: 0 });
  });

  it('an account in recovery or critical does not halt the others; the portal halts only when none is ready', async () => {
    for (const id of ['sim', 'sim.second']) await master(id);
    loginFails = new Set(['master-sim.second']);
    await host.send('master-sim.second', { type: 'FAILURE_REPORTED', jobId: 'operator', reason: 'operator_request', at: at() });
    await settle();
    start();
    for (let n = 0; n < 3; n++) await job(n);
    await settle();
    expect([...(await startsOf('j0')), ...(await startsOf('j1')), ...(await startsOf('j2'))]).toEqual(['first', 'first', 'first']);
    expect(scheduler.status().halted).toEqual([]);

    loginFails.add('master-sim');
    await host.send('master-sim', { type: 'FAILURE_REPORTED', jobId: 'operator', reason: 'operator_request', at: at() });
    await settle();
    await job(3);
    await settle();
    expect(await startsOf('j3')).toEqual([]);
    expect(scheduler.status().halted).toEqual([{ portal: 'sim', masterState: 'recovering' }]);
  });

  it('a job that met the login form on one account is retried at once on another, without waiting for the first to recover', async () => {
    for (const id of ['sim', 'sim.second']) await master(id);
    loginFormOn = new Set(['master-sim']);
    loginFails = new Set(['master-sim']);
    await job(0);
    start();
    await settle();
    expect(await startsOf('j0')).toEqual(['first', 'second']);
    const types = (await store.read('job-j0')).map((e) => e.type);
    expect(types).toEqual(expect.arrayContaining(['LOGIN_FORM_SEEN', 'SESSION_READY']));
    expect(types).not.toContain('TIMER.retry');
    expect((await store.read('master-sim')).map((e) => e.type)).toContain('FAILURE_REPORTED');
    expect((await store.read('master-sim.second')).map((e) => e.type)).not.toContain('FAILURE_REPORTED');
    openGates();
    await settle();
    expect((await host.getState('job-j0'))?.state.value).toBe('submitted');
  });

  it('a portal without accounts starts as before: no account on its STARTs', async () => {
    await master('sim');
    await job(0);
    scheduler = new JobScheduler({ host, clock, concurrency: 2 });
    scheduler.start();
    await settle();
    expect(await startsOf('j0')).toEqual([undefined]);
    expect((await host.getState('job-j0'))?.state.context).not.toHaveProperty('account');
  });
});
