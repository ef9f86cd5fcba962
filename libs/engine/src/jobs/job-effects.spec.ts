// The job effects against fakes: a reconciliation lookup that lands on the portal's login page
// (the portal killed the session under it) is a session failure, not an answer; the submission
// is clicked only when the lease is confirmed right before.
import { FencedOffError, SessionExpiredError, SimulatedClock, silentLogger, type ActorHost, type EffectContext, type EngineEvent } from '@engine/core';
import type { ArtifactStore, SessionCloner, SessionSource } from '@engine/browser';
import type { PortalAdapter } from '@engine/portals';
import { PortalRegistry } from '../portals/portal-registry';
import { JobEffects } from './job-effects';

function fixture(lookups: Array<() => Promise<{ found: true; reference: string } | { found: false }>>) {
  const sent: EngineEvent[] = [];
  let lookup = 0;
  const adapter = {
    id: 'portal-sim',
    origin: 'http://127.0.0.1:1',
    findSubmission: () => lookups[Math.min(lookup++, lookups.length - 1)](),
  } as unknown as PortalAdapter;
  const effects = new JobEffects({
    host: () => ({ send: async (_stream: string, event: EngineEvent) => void sent.push(event) }) as unknown as ActorHost,
    portals: new PortalRegistry([adapter]),
    cloner: { clone: async () => ({ page: {}, close: async () => undefined }) } as unknown as SessionCloner,
    masterSource: () => ({}) as SessionSource,
    masterReady: () => true,
    artifacts: {} as ArtifactStore,
    clock: new SimulatedClock(Date.parse('2026-01-01T00:00:00Z')),
    logger: silentLogger,
    timeouts: { lookupWaitMs: 60_000, lookupRetryMs: 1 },
  });
  const ctx = { stream: 'job-j1', signal: new AbortController().signal } as EffectContext;
  const run = () => effects.registry().findSubmission.run({ portal: 'portal-sim', businessKey: 'VIN1' }, ctx);
  return { run, sent, lookups: () => lookup };
}

const expired = () => Promise.reject(new SessionExpiredError('portal-sim', 'redirected to the login page during find submission'));

describe('JobEffects findSubmission (reconciliation)', () => {
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
    const effects = new JobEffects({
      host: () => ({}) as ActorHost,
      portals: new PortalRegistry([adapter]),
      cloner: { clone: async () => ({ page: {}, close: async () => undefined }) } as unknown as SessionCloner,
      masterSource: () => ({}) as SessionSource,
      masterReady: () => true,
      artifacts: {} as ArtifactStore,
      clock: new SimulatedClock(Date.parse('2026-01-01T00:00:00Z')),
      logger: silentLogger,
    });
    const params = { jobId: 'j1', portal: 'portal-sim', attempt: 1, businessKey: 'VIN1' };
    const ctx = (confirmHeld: () => Promise<void>) =>
      ({ stream: 'job-j1', signal: new AbortController().signal, state: { context: { payload: {} } }, confirmHeld }) as unknown as EffectContext;
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
