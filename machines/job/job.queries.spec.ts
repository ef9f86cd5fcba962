// Specification of the pure queries the scheduler and the API use on stored job states, and of
// the interrupted-effect map the effects layer wires into `onInterrupted`: each must agree with
// what the machine itself accepts.
import { machineSpec } from '@engine/core/testing';
import { initialJobContext } from './job.config';
import { JOB_INTERRUPTED_EVENTS, jobInterruptedEvent } from './job.effects';
import type { JobEvent } from './job.events';
import { ev, jobInput, STEPS, toSubmitting } from './job.fixtures';
import { JOB_MACHINE } from './job.machine';
import {
  cancelRefusalReason,
  isJobRunnable,
  JOB_CANCELLABLE_STATES,
  JOB_FINAL_STATES,
  JOB_SUBMIT_STARTED_STATES,
  lastJobFailure,
  retryIsSafe,
  type JobStateName,
} from './job.queries';

const spec = machineSpec(JOB_MACHINE);
const machineStates = Object.keys(JOB_MACHINE.machine.config.states ?? {}) as JobStateName[];
const snapshotIn = (value: JobStateName) => JOB_MACHINE.machine.resolveState({ value, context: { ...initialJobContext(jobInput), attempt: 1 } });

describe('job queries', () => {
  it('the state lists cover every machine state exactly once', () => {
    const listed = [...JOB_CANCELLABLE_STATES, ...JOB_SUBMIT_STARTED_STATES, ...JOB_FINAL_STATES];
    expect([...listed].sort()).toEqual([...machineStates].sort());
    expect(JOB_FINAL_STATES.every((s) => snapshotIn(s).status === 'done')).toBe(true);
  });

  it.each(machineStates)('cancelRefusalReason agrees with the machine in %s', (value) => {
    const accepted = snapshotIn(value).can(ev.cancel());
    expect(cancelRefusalReason({ value, context: {} }) === null).toBe(accepted);
  });

  it('refuses cancel with SUBMIT_STARTED from submitting on, JOB_FINISHED when final', () => {
    expect(cancelRefusalReason({ value: 'submitting', context: {} })?.code).toBe('SUBMIT_STARTED');
    expect(cancelRefusalReason({ value: 'in_doubt', context: {} })?.code).toBe('SUBMIT_STARTED');
    expect(cancelRefusalReason({ value: 'submitted', context: {} })).toEqual({ code: 'JOB_FINISHED', message: 'job is already submitted' });
  });

  it('only pending is runnable, matching the machine tag', () => {
    for (const value of machineStates) {
      expect(isJobRunnable({ value, context: {} })).toBe(snapshotIn(value).hasTag('runnable'));
    }
    expect(isJobRunnable({ value: 'pending', context: {} })).toBe(true);
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
