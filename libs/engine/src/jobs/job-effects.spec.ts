// The job effects against fakes: a reconciliation lookup that lands on the portal's login page
// (the portal killed the session under it) is a session failure, not an answer; a lookup waits
// on the read feed for its master session; the submission is clicked only when the lease is
// confirmed right before.
import { FencedOffError, SessionExpiredError, SimulatedClock, StateFeed, silentLogger, type CommandEvent, type EffectContext, type StateOf } from '@engine/core';
import type { JobDefinition } from '@engine/machines';
import type { ArtifactStore, SessionCloner, SessionSource } from '@engine/browser';
import type { PortalAdapter } from '@engine/portals';
import { PortalRegistry } from '../portals/portal-registry';
import { JobEffects } from './job-effects';

const masterIn = (version: number, value: string) => ({
  stream: 'master-portal-sim',
  version,
  position: version,
  type: 'T',
  data: {},
  stateAfter: { value, context: {}, status: 'active', effects: {}, timers: {} },
  meta: { at: '2026-01-01T00:00:00.000Z' },
  hash: 'h',
  prevHash: 'p',
});

function fixture(
  lookups: Array<() => Promise<{ found: true; reference: string } | { found: false }>>,
  masterState = 'ready',
  wait: { lookupWaitMs: number | undefined } = { lookupWaitMs: 60_000 },
  lookup: { authoritativeLookup?: { settleMs: number }; submitStartedAt?: string } = {},
) {
  const sent: CommandEvent[] = [];
  const clock = new SimulatedClock(Date.parse('2026-01-01T00:00:00Z'));
  const feed = new StateFeed({ clock, kindOf: (stream) => (stream.startsWith('master-') ? 'master-session' : 'job') });
  feed.apply(masterIn(1, masterState));
  let looked = 0;
  const lookedAt: number[] = [];
  const adapter = {
    id: 'portal-sim',
    origin: 'http://127.0.0.1:1',
    authoritativeLookup: lookup.authoritativeLookup,
    findSubmission: () => {
      lookedAt.push(Date.now());
      return lookups[Math.min(looked++, lookups.length - 1)]();
    },
  } as unknown as PortalAdapter;
  const effects = new JobEffects({
    feed,
    portals: new PortalRegistry([adapter]),
    cloner: { clone: async () => ({ page: {}, close: async () => undefined }) } as unknown as SessionCloner,
    masterSource: () => ({}) as SessionSource,
    artifacts: {} as ArtifactStore,
    clock,
    logger: silentLogger,
    timeouts: { lookupWaitMs: wait.lookupWaitMs, lookupRetryMs: 1 },
  });
  const state = { context: { jobId: 'j1', submitStartedAt: lookup.submitStartedAt ?? null } } as StateOf<JobDefinition>;
  const ctx: EffectContext<StateOf<JobDefinition>> = {
    stream: 'job-j1',
    effectId: 'job-j1:9:0',
    signal: new AbortController().signal,
    state,
    send: async (_stream, event) => void sent.push(event),
    confirmHeld: async () => undefined,
  };
  const run = () => effects.registry().findSubmission.run({ portal: 'portal-sim', businessKey: 'VIN1' }, ctx);
  return { run, sent, lookups: () => looked, lookedAt, feed, clock };
}

const expired = () => Promise.reject(new SessionExpiredError('portal-sim', 'redirected to the login page during find submission'));

describe('JobEffects findSubmission (reconciliation)', () => {
  it("marks SUBMISSION_NOT_FOUND authoritative when the adapter says its search is, and only then", async () => {
    const notFound = async () => ({ found: false as const });
    await expect(fixture([notFound], 'ready', undefined, { authoritativeLookup: { settleMs: 0 } }).run()).resolves.toEqual(expect.objectContaining({ type: 'SUBMISSION_NOT_FOUND', authoritative: true }));
    const plain = await fixture([notFound]).run();
    expect(plain).toMatchObject({ type: 'SUBMISSION_NOT_FOUND' });
    expect(plain).not.toHaveProperty('authoritative');
  });

  it("reads an authoritative search no sooner than its settle delay after the click", async () => {
    // The simulated clock stands at the click plus 100 ms: the search waits (at least) the other 300 ms.
    const clickAt = new Date(Date.parse('2026-01-01T00:00:00Z') - 100).toISOString();
    const { run, lookedAt } = fixture([async () => ({ found: false })], 'ready', undefined, { authoritativeLookup: { settleMs: 400 }, submitStartedAt: clickAt });
    const started = Date.now();
    await expect(run()).resolves.toMatchObject({ type: 'SUBMISSION_NOT_FOUND', authoritative: true });
    expect(lookedAt[0] - started).toBeGreaterThanOrEqual(290);
  });

  it('tells the master session when the lookup meets the login page, and looks again once it is back', async () => {
    const { run, sent, lookups } = fixture([expired, async () => ({ found: true, reference: 'PRP-2026-000001' })]);
    await expect(run()).resolves.toMatchObject({ type: 'SUBMISSION_FOUND', reference: 'PRP-2026-000001' });
    expect(lookups()).toBe(2);
    expect(sent).toEqual([expect.objectContaining({ type: 'FAILURE_REPORTED', jobId: 'j1', reason: 'login_form' })]);
  });

  it('answers LOOKUP_FAILED when the session stays logged out through every try', async () => {
    const { run, lookups } = fixture([expired]);
    await expect(run()).resolves.toMatchObject({ type: 'LOOKUP_FAILED', code: 'SESSION_EXPIRED' });
    expect(lookups()).toBe(3);
  });

  it('answers SUBMISSION_NOT_FOUND at once, without a second look', async () => {
    const { run, sent, lookups } = fixture([async () => ({ found: false })]);
    await expect(run()).resolves.toMatchObject({ type: 'SUBMISSION_NOT_FOUND' });
    expect(lookups()).toBe(1);
    expect(sent).toEqual([]);
  });

  it('waits on the read feed while the master session recovers, and looks as soon as it is ready', async () => {
    const { run, lookups, feed } = fixture([async () => ({ found: true, reference: 'PRP-2026-000002' })], 'recovering');
    const outcome = run();
    for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
    expect(lookups()).toBe(0);
    feed.apply(masterIn(2, 'ready'));
    await expect(outcome).resolves.toMatchObject({ type: 'SUBMISSION_FOUND', reference: 'PRP-2026-000002' });
    expect(lookups()).toBe(1);
  });

  it('answers LOOKUP_FAILED (master unavailable) when the session is not back before the lookup wait ends', async () => {
    const { run, lookups, clock } = fixture([async () => ({ found: false })], 'recovering');
    const outcome = run();
    await clock.advance(60_000);
    await expect(outcome).resolves.toMatchObject({ type: 'LOOKUP_FAILED', code: 'MASTER_UNAVAILABLE' });
    expect(lookups()).toBe(0);
  });

  it('a lookup wait given as undefined keeps its default (two minutes), instead of giving up at once', async () => {
    const { run, lookups, feed, clock } = fixture([async () => ({ found: false })], 'recovering', { lookupWaitMs: undefined });
    const outcome = run();
    await clock.advance(119_000);
    expect(lookups()).toBe(0);
    feed.apply(masterIn(2, 'ready'));
    await expect(outcome).resolves.toMatchObject({ type: 'SUBMISSION_NOT_FOUND' });
  });
});

describe('JobEffects submitForm (fencing)', () => {
  function submitFixture() {
    const clicks: string[] = [];
    const adapter = {
      id: 'portal-sim',
      origin: 'http://127.0.0.1:1',
      submit: async () => {
        clicks.push('click');
        return { reference: 'PRP-2026-000002' };
      },
    } as unknown as PortalAdapter;
    const clock = new SimulatedClock(Date.parse('2026-01-01T00:00:00Z'));
    const effects = new JobEffects({
      feed: new StateFeed({ clock, kindOf: () => 'job' }),
      portals: new PortalRegistry([adapter]),
      cloner: { clone: async () => ({ page: {}, close: async () => undefined }) } as unknown as SessionCloner,
      masterSource: () => ({}) as SessionSource,
      artifacts: {} as ArtifactStore,
      clock,
      logger: silentLogger,
    });
    const params = { jobId: 'j1', portal: 'portal-sim', attempt: 1, businessKey: 'VIN1' };
    const state = { context: { payload: {} } } as StateOf<JobDefinition>;
    const ctx = (confirmHeld: () => Promise<void>): EffectContext<StateOf<JobDefinition>> => ({
      stream: 'job-j1',
      effectId: 'job-j1:9:0',
      signal: new AbortController().signal,
      state,
      send: async () => undefined,
      confirmHeld,
    });
    const submit = async (confirmHeld: () => Promise<void>) => {
      await effects.registry().cloneSession.run({ jobId: 'j1', portal: 'portal-sim', attempt: 1 }, ctx(async () => undefined));
      return effects.registry().submitForm.run(params, ctx(confirmHeld));
    };
    return { submit, clicks };
  }

  it('clicks when the lease is confirmed', async () => {
    const { submit, clicks } = submitFixture();
    await expect(submit(async () => undefined)).resolves.toMatchObject({ type: 'SUBMITTED', reference: 'PRP-2026-000002' });
    expect(clicks).toEqual(['click']);
  });

  it('does not click when the lease cannot be confirmed, and answers that the submission was interrupted', async () => {
    const { submit, clicks } = submitFixture();
    await expect(submit(() => Promise.reject(new FencedOffError('job-j1', 1, 2)))).resolves.toMatchObject({ type: 'SUBMIT_INTERRUPTED' });
    expect(clicks).toEqual([]);
  });
});

describe('JobEffects with accounts', () => {
  it('searches through the account that clicked: its session is waited for, cloned and told when the search meets the login page', async () => {
    const clock = new SimulatedClock(Date.parse('2026-01-01T00:00:00Z'));
    const feed = new StateFeed({ clock, kindOf: (stream) => (stream.startsWith('master-') ? 'master-session' : 'job') });
    // The portal's first account recovers; the second one, which clicked, is ready.
    feed.apply(masterIn(1, 'recovering'));
    feed.apply({ ...masterIn(1, 'ready'), stream: 'master-portal-sim.second' });
    const sources: string[] = [];
    const sent: { stream: string; event: CommandEvent }[] = [];
    const lookups = [expired, async () => ({ found: true as const, reference: 'PRP-2026-000003' })];
    let looked = 0;
    const adapter = { id: 'portal-sim', origin: 'http://127.0.0.1:1', findSubmission: () => lookups[Math.min(looked++, 1)]() } as unknown as PortalAdapter;
    const effects = new JobEffects({
      feed,
      portals: new PortalRegistry([adapter]),
      cloner: { clone: async () => ({ page: {}, close: async () => undefined }) } as unknown as SessionCloner,
      masterSource: (session) => (sources.push(session), {} as SessionSource),
      artifacts: {} as ArtifactStore,
      clock,
      logger: silentLogger,
      timeouts: { lookupWaitMs: 60_000, lookupRetryMs: 1 },
    });
    const state = {
      context: { jobId: 'j1', portal: 'portal-sim', submitStartedAt: null, account: 'first', masterSession: 'master-portal-sim', submittedVia: { account: 'second', masterSession: 'master-portal-sim.second' } },
    } as unknown as StateOf<JobDefinition>;
    const ctx: EffectContext<StateOf<JobDefinition>> = {
      stream: 'job-j1',
      effectId: 'job-j1:9:0',
      signal: new AbortController().signal,
      state,
      send: async (stream, event) => void sent.push({ stream, event }),
      confirmHeld: async () => undefined,
    };
    await expect(effects.registry().findSubmission.run({ portal: 'portal-sim', businessKey: 'VIN1' }, ctx)).resolves.toMatchObject({ type: 'SUBMISSION_FOUND', reference: 'PRP-2026-000003' });
    expect(new Set(sources)).toEqual(new Set(['portal-sim.second']));
    expect(sent).toEqual([{ stream: 'master-portal-sim.second', event: expect.objectContaining({ type: 'FAILURE_REPORTED', reason: 'login_form' }) }]);
  });
});
