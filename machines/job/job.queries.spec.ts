// Specification of the pure queries the scheduler and the API use on stored job states, and of
// the interrupted-effect map the effects layer wires into `onInterrupted`: each must agree with
// what the machine itself accepts.
import { machineSpec } from '@engine/core/testing';
import { initialJobContext } from './job.config';
import { JOB_INTERRUPTED_EVENTS, jobInterruptedEvent } from './job.effects';
import type { JobEvent } from './job.events';
import { ev, jobInput, STEPS, toSubmitting } from './job.fixtures';
import { JOB_MACHINE, jobRefusal } from './job.machine';
import { isJobFinal, isJobRunnable, JOB_STATES, jobHasTag, lastJobFailure, retryIsSafe, retryRefusal, type JobStateName } from './job.queries';

const spec = machineSpec(JOB_MACHINE);
const snapshotIn = (value: JobStateName) => JOB_MACHINE.machine.resolveState({ value, context: { ...initialJobContext(jobInput), attempt: 1 } });

describe('job queries', () => {
  it('JOB_STATES is every state of the machine, once', () => {
    expect([...JOB_STATES].sort()).toEqual(Object.keys(JOB_MACHINE.machine.config.states ?? {}).sort());
    expect(new Set(JOB_STATES).size).toBe(JOB_STATES.length);
  });

  it.each(JOB_STATES)('the stored-state queries agree with a restored snapshot in %s', (value) => {
    const snapshot = snapshotIn(value);
    expect(isJobFinal({ value })).toBe(snapshot.status === 'done');
    expect(isJobRunnable({ value })).toBe(snapshot.hasTag('runnable'));
    for (const tag of ['attempt', 'interruptible', 'submitStarted'] as const) expect(jobHasTag({ value }, tag)).toBe(snapshot.hasTag(tag));
  });

  it.each(JOB_STATES)('the machine gives a reason exactly when it refuses CANCEL in %s', (value) => {
    const snapshot = snapshotIn(value);
    expect(jobRefusal(snapshot, ev.cancel()) === undefined).toBe(snapshot.can(ev.cancel()));
  });

  it('refuses cancel from the commit point on, and once final', () => {
    expect(jobRefusal(snapshotIn('submitting'), ev.cancel())).toMatch(/^submit\.started is recorded \(job is submitting\)/);
    expect(jobRefusal(snapshotIn('in_doubt'), ev.cancel())).toMatch(/^submit\.started is recorded/);
    expect(jobRefusal(snapshotIn('submitted'), ev.cancel())).toBe('job is already submitted');
  });

  it('the tags mean what the scheduler relies on: attempts hold a slot, only stages before the click are interruptible', () => {
    expect(JOB_STATES.filter((value) => jobHasTag({ value }, 'interruptible'))).toEqual(['cloning', 'validating', 'filling']);
    expect(JOB_STATES.filter((value) => jobHasTag({ value }, 'submitStarted'))).toEqual(['submitting', 'in_doubt', 'reconciling', 'reconcileWaiting', 'capturing_artifact']);
    expect(JOB_STATES.filter((value) => jobHasTag({ value }, 'attempt'))).toEqual(['cloning', 'validating', 'filling', 'submitting', 'in_doubt', 'reconciling', 'reconcileWaiting', 'capturing_artifact']);
    expect(JOB_STATES.filter((value) => isJobRunnable({ value }))).toEqual(['pending']);
  });

  it('lastJobFailure is the newest failure, null when none', () => {
    expect(lastJobFailure(spec.given(jobInput).now.state)).toBeNull();
    const state = spec.given(jobInput, [ev.start(), ev.cloneFailed(), ev.retryTimer(), ev.start(), ev.cloned()]).when(ev.loginForm()).state;
    expect(lastJobFailure(state)).toMatchObject({ failureType: 'login_form', attempt: 2 });
  });

  describe('retryIsSafe', () => {
    const crashedSubmit = [...toSubmitting(), ev.submitInterrupted(), ev.reconcileTimer(), ev.notFound()];
    const cases: [string, JobEvent[], boolean][] = [
      ['failed before any click (login forms up to the limit)', [0, 1, 2].flatMap(() => [ev.start(), ev.cloned(), ev.loginForm(), ev.retryTimer()]).slice(0, -1), true],
      ['failed with a rejected form', [ev.start(), ev.cloned(), ev.valid(), ev.rejected('applicant')], true],
      ['failed after a crashed click the search confirmed not found', [...crashedSubmit, ...crashedSubmit, ...crashedSubmit], true],
      ['failed after a crashed click confirmed not found and later attempts failing before the click', [...crashedSubmit, ev.start(), ev.cloneFailed(), ev.retryTimer(), ev.start(), ev.cloneFailed()], true],
      ['failed_post_submission', [...toSubmitting(), ev.submitFailed(), ev.notFound(), ev.captured()], false],
      ['needs_review after an error (lookup impossible)', [...toSubmitting(), ev.submitFailed(), ev.lookupFailed()], false],
      ['needs_review after a crash (lookup impossible)', [...toSubmitting(), ev.submitInterrupted(), ev.reconcileTimer(), ev.lookupFailed()], false],
      ['submitted', [...toSubmitting(), ev.submitted()], false],
      ['cancelled', [ev.cancel()], false],
      ['a live job (waiting)', [ev.start(), ev.cloneFailed()], false],
      ['a live job (reconciling)', [...toSubmitting(), ev.submitFailed()], false],
    ];

    it.each(cases.map(([name, events, safe]) => ({ name, events, safe })))('$name → $safe', ({ events, safe }) => {
      const { now } = spec.given(jobInput, events);
      expect(now.status === 'done' || !safe).toBe(true);
      expect(retryIsSafe(now.state)).toBe(safe);
    });
  });

  describe('retryRefusal', () => {
    const needsReview = () => spec.given(jobInput, [...toSubmitting(), ev.submitFailed(), ev.lookupFailed()]).now.state;
    it('allows what retryIsSafe allows, confirmed or not', () => {
      const failed = spec.given(jobInput, [ev.start(), ev.cloned(), ev.valid(), ev.rejected('applicant')]).now.state;
      expect(retryRefusal(failed)).toBeNull();
      expect(retryRefusal(failed, { confirmedNotSubmitted: true })).toBeNull();
    });

    it('starts a needs_review job over only when a person confirms the portal holds no submission', () => {
      expect(retryRefusal(needsReview())).toMatch(/^nobody could tell whether the portal holds this submission/);
      expect(retryRefusal(needsReview(), { confirmedNotSubmitted: true })).toBeNull();
    });

    it('a confirmation opens nothing else: failed_post_submission, submitted, cancelled and live jobs stay refused', () => {
      const others = [
        [...toSubmitting(), ev.submitFailed(), ev.notFound(), ev.captured()],
        [...toSubmitting(), ev.submitted()],
        [ev.cancel()],
        [ev.start(), ev.cloneFailed()],
      ];
      for (const events of others) expect(retryRefusal(spec.given(jobInput, events).now.state, { confirmedNotSubmitted: true })).toMatch(/^a retry is only safe/);
    });
  });

  describe('retryOf', () => {
    it('is in the context of a job made by a retry only: other jobs have no such key, as in stored logs', () => {
      expect('retryOf' in spec.given(jobInput).now.context).toBe(false);
      const origin = { jobId: 'j-0', by: 'inspector', confirmedNotSubmitted: true };
      expect(spec.given({ ...jobInput, retryOf: origin }).now.context.retryOf).toEqual(origin);
    });
  });

  describe('JOB_INTERRUPTED_EVENTS', () => {
    const inFlight: [keyof typeof JOB_INTERRUPTED_EVENTS, JobEvent[], string][] = [
      ['cloneSession', [ev.start()], 'pending'],
      ['validateSession', [ev.start(), ev.cloned()], 'pending'],
      ['fillStep', [ev.start(), ev.cloned(), ev.valid(), ...STEPS.slice(0, 2).map(ev.filled)], 'pending'],
      ['submitForm', toSubmitting(), 'in_doubt'],
    ];

    it.each(inFlight.map(([effect, given, expected]) => ({ effect, given, expected })))(
      '$effect: the recorded event is accepted where the effect runs and leads to $expected',
      ({ effect, given, expected }) => {
      const { now } = spec.given(jobInput, given);
      expect(Object.values(now.state.effects).map((e) => e.type)).toContain(effect);
      const event = jobInterruptedEvent(effect, '2026-01-01T01:00:00.000Z');
      expect(event).toEqual({ type: JOB_INTERRUPTED_EVENTS[effect], at: '2026-01-01T01:00:00.000Z' });
      const then = spec.given(jobInput, given).when(event!);
      expect(then.accepted).toBe(true);
      expect(then.value).toBe(expected);
      },
    );

    it('every other tracked effect is re-run (no event to record)', () => {
      for (const effect of ['findSubmission', 'captureArtifact', 'reportSessionFailure']) expect(jobInterruptedEvent(effect, 'x')).toBeNull();
    });
  });
});
