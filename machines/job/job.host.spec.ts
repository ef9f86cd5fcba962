// The job machine run by the real ActorHost on the in-memory store and a simulated clock,
// with fake effect handlers wired the way the effects layer must wire them (interrupted
// policies from JOB_INTERRUPTED_EVENTS). A "crash" is a host whose effect never answers; a
// second host on the same store and clock then start()s, as the restarted process would.

import { MemoryEventStore } from '@engine/event-store';
import { ActorHost, InvalidCommandError, replayStream, SimulatedClock, type ActorState, type EffectRegistry, type EngineEvent } from '@engine/core';
import { JOB_INTERRUPTED_EVENTS, jobInterruptedEvent, type JobEffectParams } from './job.effects';
import { jobInput } from './job.fixtures';
import { JOB_MACHINE } from './job.machine';

const STREAM = 'job-j1';

interface FakeOptions {
  /** `hang`: the click never answers (the process dies with it in flight). */
  submit?: 'ok' | 'hang' | 'error';
  lookup?: 'found' | 'not_found' | 'fail';
  /** This step never answers in attempt 1. */
  hangAtStep?: string;
  /** Attempt 1 sees the portal's login form while validating. */
  loginFormFirst?: boolean;
}

/** Fake effect handlers: each answers like the portal would and counts its calls. */
function fakeEffects(clock: SimulatedClock, options: FakeOptions = {}) {
  const calls: { type: string; params: unknown; effectId: string }[] = [];
  const at = () => new Date(clock.now()).toISOString();
  let releaseHungSubmit: (event: EngineEvent) => void = () => undefined;
  // A browser call that never answers; like every browser wait it gives up when aborted.
  const never = (signal: AbortSignal) => new Promise<never>((_, reject) => signal.addEventListener('abort', () => reject(signal.reason)));
  const handler = <K extends keyof JobEffectParams>(type: K, answer: (params: JobEffectParams[K], signal: AbortSignal) => Promise<EngineEvent | void>) => ({
    run: (params: JobEffectParams[K], ctx: { effectId: string; signal: AbortSignal }) => {
      calls.push({ type, params, effectId: ctx.effectId });
      return answer(params, ctx.signal);
    },
  });
  const registry: EffectRegistry = {
    cloneSession: handler('cloneSession', async () => ({ type: 'CLONED', at: at() })),
    validateSession: handler('validateSession', async (p) =>
      options.loginFormFirst && p.attempt === 1 ? { type: 'LOGIN_FORM_SEEN', artifactRef: 'art-login', at: at() } : { type: 'SESSION_VALID', at: at() },
    ),
    fillStep: handler('fillStep', (p, signal) =>
      p.attempt === 1 && p.step === options.hangAtStep ? never(signal) : Promise.resolve({ type: 'STEP_FILLED', step: p.step, at: at() }),
    ),
    submitForm: handler('submitForm', async (p) => {
      if (options.submit === 'hang') return new Promise<EngineEvent>((resolve) => (releaseHungSubmit = resolve));
      if (options.submit === 'error') return { type: 'SUBMIT_FAILED', code: 'HTTP_502', artifactRef: 'art-502', at: at() };
      return { type: 'SUBMITTED', reference: `REF-${p.attempt}`, at: at() };
    }),
    findSubmission: handler('findSubmission', async () => {
      if (options.lookup === 'not_found') return { type: 'SUBMISSION_NOT_FOUND', at: at() };
      if (options.lookup === 'fail') return { type: 'LOOKUP_FAILED', code: 'SEARCH_DOWN', at: at() };
      return { type: 'SUBMISSION_FOUND', reference: 'REF-FOUND', at: at() };
    }),
    captureArtifact: handler('captureArtifact', async () => ({ type: 'ARTIFACT_CAPTURED', artifactRef: 'art-shot', at: at() })),
    reportSessionFailure: handler('reportSessionFailure', async () => ({ type: 'SESSION_FAILURE_REPORTED', at: at() })),
    closeClone: handler('closeClone', async () => undefined),
  };
  // The wiring the effects layer owes the job: record the mapped event instead of re-running.
  for (const effect of Object.keys(JOB_INTERRUPTED_EVENTS)) {
    registry[effect].onInterrupted = async () => jobInterruptedEvent(effect, at()) as EngineEvent;
  }
  const count = (type: string) => calls.filter((c) => c.type === type).length;
  return { registry, calls, count, release: (event: EngineEvent) => releaseHungSubmit(event) };
}

function newHost(store: MemoryEventStore, clock: SimulatedClock, registry: EffectRegistry) {
  return new ActorHost({ store, clock, definitions: [JOB_MACHINE], effects: registry });
}

async function stateOf(host: ActorHost, stream = STREAM) {
  return (await host.getState(stream))!.state;
}

/** Lets a host work until the job is in `value`: a crashed host's hung effect never lets idle() return. */
async function reach(host: ActorHost, value: string, stream = STREAM) {
  for (let i = 0; i < 500; i++) {
    if ((await stateOf(host, stream)).value === value) return;
    await new Promise((resolve) => setImmediate(resolve));
  }
  throw new Error(`${stream} never reached ${value}: it is in ${JSON.stringify((await stateOf(host, stream)).value)}`);
}

describe('job machine on the actor host', () => {
  let store: MemoryEventStore;
  let clock: SimulatedClock;

  beforeEach(() => {
    store = new MemoryEventStore();
    clock = new SimulatedClock();
  });

  it('runs a job to submitted: one event per stage and step, the click after submit.started is durable', async () => {
    const fake = fakeEffects(clock);
    let versionAtClick = 0;
    const submit = fake.registry.submitForm.run;
    fake.registry.submitForm.run = async (params, ctx) => {
      versionAtClick = await store.streamVersion(ctx.stream);
      return submit(params, ctx);
    };
    const host = newHost(store, clock, fake.registry);
    await host.create('job', 'j1', jobInput);
    await host.send(STREAM, { type: 'START', at: new Date(clock.now()).toISOString() });
    await host.idle();

    const events = await store.read(STREAM);
    expect(events.map((e) => e.type)).toEqual(['actor.started', 'START', 'CLONED', 'SESSION_VALID', 'STEP_FILLED', 'STEP_FILLED', 'STEP_FILLED', 'SUBMITTED']);
    const commitPoint = events[6];
    expect((commitPoint.stateAfter as ActorState).value).toBe('submitting');
    expect(versionAtClick).toBe(commitPoint.version);
    expect((await stateOf(host)).output).toMatchObject({ reference: 'REF-1' });
    expect(fake.calls.filter((c) => c.type === 'closeClone').map((c) => c.params)).toEqual([{ jobId: 'j1', attempt: 1 }]);
    await host.stop();
  });

  it('a crash in submitting: the restarted host records in_doubt, reconciles with findSubmission, and never clicks again', async () => {
    const crashed = fakeEffects(clock, { submit: 'hang' });
    const first = newHost(store, clock, crashed.registry);
    await first.create('job', 'j1', jobInput);
    await first.send(STREAM, { type: 'START', at: 'start' });
    await reach(first, 'submitting');
    expect(crashed.count('submitForm')).toBe(1);
    // No stop(): the process is gone with the click in flight.

    const resumed = fakeEffects(clock, { lookup: 'found' });
    const second = newHost(store, clock, resumed.registry);
    const report = await second.start();
    expect(report.interrupted).toEqual([{ stream: STREAM, effectId: expect.any(String), type: 'submitForm', policy: 'reconcile' }]);
    await second.idle();
    expect((await stateOf(second)).value).toBe('in_doubt');

    await clock.advance(0); // the durable reconcile timer
    await second.idle();
    const state = await stateOf(second);
    expect(state.value).toBe('submitted');
    expect(state.output).toMatchObject({ reference: 'REF-FOUND' });
    expect(resumed.count('submitForm')).toBe(0);
    expect(resumed.count('findSubmission')).toBe(1);
    const types = (await store.read(STREAM)).map((e) => e.type);
    expect(types.slice(-4)).toEqual(['SUBMIT_INTERRUPTED', 'timer.scheduled', 'TIMER.reconcile', 'SUBMISSION_FOUND']);
    await second.stop();
  });

  it('the crashed process answering late is ignored: the interrupted click was already settled', async () => {
    const crashed = fakeEffects(clock, { submit: 'hang' });
    const first = newHost(store, clock, crashed.registry);
    await first.create('job', 'j1', jobInput);
    await first.send(STREAM, { type: 'START', at: 'start' });
    await reach(first, 'submitting');

    const second = newHost(store, clock, fakeEffects(clock, { lookup: 'found' }).registry);
    await second.start();
    await second.idle();
    await clock.advance(0);
    await second.idle();
    const settled = await store.read(STREAM);

    const report = jest.spyOn(first, 'report');
    crashed.release({ type: 'SUBMITTED', reference: 'REF-ZOMBIE', at: 'late' });
    await first.idle();
    expect(report).toHaveBeenCalledTimes(1);
    await expect(report.mock.results[0].value).resolves.toBeUndefined();
    expect(await store.read(STREAM)).toEqual(settled);
    expect((await stateOf(second)).output).toMatchObject({ reference: 'REF-FOUND' });
    await second.stop();
  });

  it('a crash in submitting that the portal confirms never landed: pending, and only then a second click', async () => {
    const first = newHost(store, clock, fakeEffects(clock, { submit: 'hang' }).registry);
    await first.create('job', 'j1', jobInput);
    await first.send(STREAM, { type: 'START', at: 'start' });
    await reach(first, 'submitting');

    const resumed = fakeEffects(clock, { lookup: 'not_found' });
    const second = newHost(store, clock, resumed.registry);
    await second.start();
    await second.idle();
    await clock.advance(0);
    await second.idle();
    expect((await stateOf(second)).value).toBe('pending');
    expect(resumed.count('submitForm')).toBe(0);

    await second.send(STREAM, { type: 'START', at: 'restart' });
    await second.idle();
    const state = await stateOf(second);
    expect(state.value).toBe('submitted');
    expect(state.output).toMatchObject({ reference: 'REF-2' });
    const types = (await store.read(STREAM)).map((e) => e.type);
    expect(types.indexOf('SUBMISSION_NOT_FOUND')).toBeLessThan(types.lastIndexOf('STEP_FILLED'));
    expect(resumed.count('submitForm')).toBe(1);
    await second.stop();
  });

  it('a crash in filling: the restarted host records INTERRUPTED, the job is pending with the attempt counted, and then completes', async () => {
    const crashed = fakeEffects(clock, { hangAtStep: 'details' });
    const first = newHost(store, clock, crashed.registry);
    await first.create('job', 'j1', jobInput);
    await first.send(STREAM, { type: 'START', at: 'start' });
    await reach(first, 'filling');
    expect(crashed.calls.at(-1)).toMatchObject({ type: 'fillStep', params: { step: 'details' } });

    const resumed = fakeEffects(clock);
    const second = newHost(store, clock, resumed.registry);
    const report = await second.start();
    expect(report.interrupted.map((i) => [i.type, i.policy])).toEqual([['fillStep', 'reconcile']]);
    await second.idle();
    const pending = await stateOf(second);
    expect(pending.value).toBe('pending');
    expect(pending.context).toMatchObject({ attempt: 1, failures: [expect.objectContaining({ failureType: 'interrupted', stage: 'filling', step: 'details' })] });
    expect(resumed.count('fillStep')).toBe(0);

    await second.send(STREAM, { type: 'START', at: 'restart' });
    await second.idle();
    expect((await stateOf(second)).output).toMatchObject({ reference: 'REF-2' });
    expect(resumed.calls.filter((c) => c.type === 'closeClone').map((c) => (c.params as JobEffectParams['closeClone']).attempt)).toEqual([1, 2]);
    await second.stop();
  });

  it('a duplicate outcome for the same effect is ignored', async () => {
    const fake = fakeEffects(clock);
    const host = newHost(store, clock, fake.registry);
    await host.create('job', 'j1', jobInput);
    await host.send(STREAM, { type: 'START', at: 'start' });
    await host.idle();
    const submitId = fake.calls.find((c) => c.type === 'submitForm')!.effectId;
    const before = await store.streamVersion(STREAM);
    await expect(host.report(STREAM, submitId, { type: 'SUBMIT_FAILED', code: 'HTTP_502', at: 'late' })).resolves.toBeUndefined();
    await expect(host.report(STREAM, submitId, { type: 'SUBMITTED', reference: 'REF-OTHER', at: 'late' })).resolves.toBeUndefined();
    expect(await store.streamVersion(STREAM)).toBe(before);
    expect((await stateOf(host)).output).toMatchObject({ reference: 'REF-1' });
    await host.stop();
  });

  it('CANCEL closes the clone while filling, and is refused once submit.started is recorded with nothing appended', async () => {
    const filling = fakeEffects(clock, { hangAtStep: 'details' });
    const host = newHost(store, clock, filling.registry);
    await host.create('job', 'j1', jobInput);
    await host.send(STREAM, { type: 'START', at: 'start' });
    await reach(host, 'filling');
    await expect(host.send(STREAM, { type: 'CANCEL', reason: 'withdrawn', at: 'now' })).resolves.toMatchObject({ state: { value: 'cancelled' } });
    // What the API layer does next: stop the step still running in the cancelled clone.
    expect(host.abortEffects(STREAM, new Error('cancelled'))).toBe(1);
    await host.idle();
    expect((await stateOf(host)).value).toBe('cancelled');
    expect(filling.calls.filter((c) => c.type === 'closeClone').map((c) => c.params)).toEqual([{ jobId: 'j1', attempt: 1 }]);

    const other = 'job-j2';
    const submitting = newHost(store, clock, fakeEffects(clock, { submit: 'hang' }).registry);
    await submitting.create('job', 'j2', { ...jobInput, jobId: 'j2' });
    await submitting.send(other, { type: 'START', at: 'start' });
    await reach(submitting, 'submitting', other);
    const version = await store.streamVersion(other);
    const refused = await submitting.send(other, { type: 'CANCEL', reason: 'too late', at: 'now' }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(InvalidCommandError);
    // The machine says why (the API answers 409 with it).
    expect((refused as InvalidCommandError).details.reason).toMatch(/^submit\.started is recorded \(job is submitting\)/);
    expect(await store.streamVersion(other)).toBe(version);
    await host.stop();
    await submitting.stop(0);
  });

  it('replay reproduces every stored state of a job that crossed a login-form retry and a crash, and runs no effect', async () => {
    const crashed = fakeEffects(clock, { loginFormFirst: true, submit: 'hang' });
    const first = newHost(store, clock, crashed.registry);
    await first.create('job', 'j1', jobInput);
    await first.send(STREAM, { type: 'START', at: 'start' });
    await first.idle();
    expect((await stateOf(first)).value).toBe('failed_login_form');
    await clock.advance(60_000);
    await first.idle();
    await first.send(STREAM, { type: 'START', at: 'retry' });
    await reach(first, 'submitting');

    const resumed = fakeEffects(clock, { lookup: 'found' });
    const second = newHost(store, clock, resumed.registry);
    await second.start();
    await second.idle();
    await clock.advance(0);
    await second.idle();
    await second.stop();

    const events = await store.read(STREAM);
    expect(events.map((e) => e.type)).toContain('TIMER.retry');
    const calls = crashed.calls.length + resumed.calls.length;
    const append = jest.spyOn(store, 'append');
    const steps = replayStream(JOB_MACHINE, events);
    expect(steps.map((s) => s.version)).toEqual(events.map((e) => e.version));
    expect(steps.map((s) => s.state)).toEqual(events.map((e) => e.stateAfter));
    expect(steps.at(-1)!.state.value).toBe('submitted');
    expect(crashed.calls.length + resumed.calls.length).toBe(calls);
    expect(append).not.toHaveBeenCalled();
  });

  describe('secrets in effect errors', () => {
    // The job keeps only error codes, and the host's EFFECT_FAILED keeps a foreign error's
    // class name only, so a thrown message never lands in the hash-chained log.
    it('a thrown effect error message does not reach the log', async () => {
      const fake = fakeEffects(clock);
      fake.registry.cloneSession.run = async () => {
        throw new Error('login as admin:hunter2 failed');
      };
      const host = newHost(store, clock, fake.registry);
      await host.create('job', 'j1', jobInput);
      await host.send(STREAM, { type: 'START', at: 'start' });
      await host.idle();
      expect((await stateOf(host)).value).toBe('waiting');
      expect(JSON.stringify(await store.read(STREAM))).not.toContain('hunter2');
      await host.stop();
    });
  });
});
