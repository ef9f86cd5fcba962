// Specification of a job's attempts up to the click: happy path with a recorded stage per
// step, login-form retries, which failures retry and which are final, crash before the click,
// cancel, and outcomes that must not move the job. The click and its aftermath: job.submission.spec.ts.
import { machineSpec } from '@engine/core/testing';
import { ev, jobInput, loginFormAttempt, STEPS, toSubmitting } from './job.fixtures';
import { JOB_MACHINE } from './job.machine';

const spec = machineSpec(JOB_MACHINE);
const closeClone = (attempt: number) => ({ type: 'closeClone', params: { jobId: 'j1', attempt } });

describe('job machine: attempts', () => {
  it('starts pending and runnable, with the defaults filled in', () => {
    const { now } = spec.given(jobInput);
    expect(now.value).toBe('pending');
    expect(now.effects).toEqual([]);
    expect(now.context).toMatchObject({ attempt: 0, maxAttempts: 3, retryDelayMs: 60_000, externalId: null, failures: [] });
    expect(JOB_MACHINE.machine.resolveState({ value: 'pending', context: now.context }).hasTag('runnable')).toBe(true);
  });

  it('happy path: clone, validate, one fillStep effect per named step, submit, reference as output', () => {
    const start = spec.given(jobInput).when(ev.start());
    expect(start.value).toBe('cloning');
    expect(start.context.attempt).toBe(1);
    expect(start.effects).toEqual([{ type: 'cloneSession', params: { jobId: 'j1', portal: 'sim', attempt: 1 } }]);

    const cloned = spec.given(jobInput, [ev.start()]).when(ev.cloned());
    expect(cloned.value).toBe('validating');
    expect(cloned.effects).toEqual([{ type: 'validateSession', params: { jobId: 'j1', portal: 'sim', attempt: 1 } }]);

    const valid = spec.given(jobInput, [ev.start(), ev.cloned()]).when(ev.valid());
    expect(valid.value).toBe('filling');
    expect(valid.effects).toEqual([{ type: 'fillStep', params: { jobId: 'j1', attempt: 1, step: 'applicant' } }]);

    const first = spec.given(jobInput, [ev.start(), ev.cloned(), ev.valid()]).when(ev.filled('applicant'));
    expect(first.value).toBe('filling');
    expect(first.recorded).toEqual(['STEP_FILLED']);
    expect(first.context.stepsFilled).toEqual(['applicant']);
    expect(first.effects).toEqual([{ type: 'fillStep', params: { jobId: 'j1', attempt: 1, step: 'details' } }]);

    const second = spec.given(jobInput, [ev.start(), ev.cloned(), ev.valid(), ev.filled('applicant')]).when(ev.filled('details'));
    expect(second.context.stepsFilled).toEqual(['applicant', 'details']);
    expect(second.effects).toEqual([{ type: 'fillStep', params: { jobId: 'j1', attempt: 1, step: 'confirm' } }]);

    const done = spec.given(jobInput, toSubmitting()).when(ev.submitted('REF-42'));
    expect(done.value).toBe('submitted');
    expect(done.status).toBe('done');
    expect(done.state.output).toEqual({ jobId: 'j1', businessKey: 'BK-1', externalId: null, reference: 'REF-42' });
    expect(done.context.failures).toEqual([]);
    expect(done.effects).toEqual([closeClone(1)]);
  });

  it('ignores a STEP_FILLED for a step other than the one being filled', () => {
    const then = spec.given(jobInput, [ev.start(), ev.cloned(), ev.valid()]).when(ev.filled('confirm'));
    expect(then.value).toBe('filling');
    expect(then.context.stepsFilled).toEqual([]);
    expect(then.effects).toEqual([]);
  });

  it('a form without steps goes from validating straight to submitting', () => {
    const then = spec.given({ ...jobInput, steps: [] }, [ev.start(), ev.cloned()]).when(ev.valid());
    expect(then.value).toBe('submitting');
    expect(then.effects.map((e) => e.type)).toEqual(['submitForm']);
  });

  it('START is accepted only from pending', () => {
    expect(spec.given(jobInput).when(ev.start()).accepted).toBe(true);
    expect(spec.given(jobInput, [ev.start()]).when(ev.start()).accepted).toBe(false);
    expect(spec.given(jobInput, [ev.start(), ev.cloneFailed()]).when(ev.start()).accepted).toBe(false);
  });

  describe('a login form while validating or filling', () => {
    it('reports to the master session, closes the clone and arms the durable retry timer', () => {
      const then = spec.given(jobInput, [ev.start(), ev.cloned()]).when(ev.loginForm('art-7'));
      expect(then.value).toBe('failed_login_form');
      expect(then.effects).toEqual([{ type: 'reportSessionFailure', params: { portal: 'sim', jobId: 'j1', reason: 'login_form' } }, closeClone(1)]);
      expect(then.timersArmed).toEqual([{ name: 'retry', delayMs: 60_000 }]);
      expect(then.context.failures).toEqual([
        { failureType: 'login_form', stage: 'validating', step: null, attempt: 1, code: 'LOGIN_FORM', artifactRef: 'art-7', at: '2026-01-01T00:00:30.000Z' },
      ]);
    });

    it('records the step when it happens while filling', () => {
      const then = spec.given(jobInput, [ev.start(), ev.cloned(), ev.valid(), ev.filled('applicant')]).when(ev.loginForm());
      expect(then.value).toBe('failed_login_form');
      expect(then.context.failures[0]).toMatchObject({ failureType: 'login_form', stage: 'filling', step: 'details' });
    });

    it('uses the configured retry delay', () => {
      const then = spec.given({ ...jobInput, retryDelayMs: 5_000 }, [ev.start(), ev.cloned()]).when(ev.loginForm());
      expect(then.timersArmed).toEqual([{ name: 'retry', delayMs: 5_000 }]);
    });

    it('goes back to pending when the timer fires, and the next START is attempt 2 with a fresh clone', () => {
      const pending = spec.given(jobInput, [ev.start(), ev.cloned(), ev.loginForm()]).when(ev.retryTimer());
      expect(pending.value).toBe('pending');
      const next = spec.given(jobInput, loginFormAttempt()).when(ev.start());
      expect(next.context.attempt).toBe(2);
      expect(next.effects).toEqual([{ type: 'cloneSession', params: { jobId: 'j1', portal: 'sim', attempt: 2 } }]);
    });

    it('after maxAttempts ends in failed: still reported, clone closed, no timer', () => {
      const given = [...loginFormAttempt(), ...loginFormAttempt(), ev.start(), ev.cloned(), ev.valid()];
      const then = spec.given(jobInput, given).when(ev.loginForm());
      expect(then.value).toBe('failed');
      expect(then.status).toBe('done');
      expect(then.effects).toEqual([{ type: 'reportSessionFailure', params: { portal: 'sim', jobId: 'j1', reason: 'login_form' } }, closeClone(3)]);
      expect(then.timersArmed).toEqual([]);
      expect(then.state.timers).toEqual({});
      expect(then.context.failures.map((f: { attempt: number; failureType: string }) => [f.attempt, f.failureType])).toEqual([
        [1, 'login_form'],
        [2, 'login_form'],
        [3, 'login_form'],
      ]);
    });
  });

  describe('failure classification', () => {
    const retried = [
      ['a clone failure', [ev.start()], ev.cloneFailed(), 'clone', 'cloning'],
      ['a cloneSession that threw', [ev.start()], ev.effectFailed('cloneSession'), 'clone', 'cloning'],
      ['an unrecognised page while validating', [ev.start(), ev.cloned()], ev.unrecognised(), 'validation', 'validating'],
      ['a validateSession that threw', [ev.start(), ev.cloned()], ev.effectFailed('validateSession'), 'validation', 'validating'],
      ['a portal error at a step', [ev.start(), ev.cloned(), ev.valid()], ev.stepFailed('applicant'), 'portal_error', 'filling'],
      ['a fillStep that threw', [ev.start(), ev.cloned(), ev.valid()], ev.effectFailed('fillStep'), 'portal_error', 'filling'],
    ] as const;

    it.each(retried)('%s waits on the durable retry timer, then is pending again', (_, given, event, failureType, stage) => {
      const then = spec.given(jobInput, [...given]).when(event);
      expect(then.value).toBe('waiting');
      expect(then.timersArmed).toEqual([{ name: 'retry', delayMs: 60_000 }]);
      expect(then.effects).toEqual([closeClone(1)]);
      expect(then.context.failures).toEqual([expect.objectContaining({ failureType, stage, attempt: 1 })]);
      expect(spec.given(jobInput, [...given, event]).when(ev.retryTimer()).value).toBe('pending');
    });

    it('a retryable failure on the last attempt is final', () => {
      const attempt = [ev.start(), ev.cloneFailed(), ev.retryTimer()];
      const then = spec.given(jobInput, [...attempt, ...attempt, ev.start()]).when(ev.cloneFailed('NO_MASTER'));
      expect(then.value).toBe('failed');
      expect(then.context.failures.map((f: { code: string }) => f.code)).toEqual(['BROWSER_LAUNCH', 'BROWSER_LAUNCH', 'NO_MASTER']);
    });

    it('a step the portal rejects is final at once: the same data would be refused again', () => {
      const then = spec.given(jobInput, [ev.start(), ev.cloned(), ev.valid()]).when(ev.rejected('applicant'));
      expect(then.value).toBe('failed');
      expect(then.effects).toEqual([closeClone(1)]);
      expect(then.context.failures).toEqual([
        { failureType: 'form_rejected', stage: 'filling', step: 'applicant', attempt: 1, code: 'FIELD_INVALID', artifactRef: 'art-form', at: '2026-01-01T00:00:30.000Z' },
      ]);
      expect(then.context.artifacts).toEqual(['art-form']);
    });

    it('keeps the error code of a thrown effect but never its message, and replaces anything that is not a code', () => {
      const thrown = spec.given(jobInput, [ev.start()]).when(ev.effectFailed('cloneSession', 'ECONNRESET', 'login as admin:hunter2 failed'));
      expect(thrown.context.failures[0].code).toBe('ECONNRESET');
      expect(JSON.stringify(thrown.state)).not.toContain('hunter2');
      const prose = spec.given(jobInput, [ev.start()]).when(ev.cloneFailed('password hunter2 rejected'));
      expect(prose.context.failures[0].code).toBe('UNCLASSIFIED');
      expect(JSON.stringify(prose.state)).not.toContain('hunter2');
    });

    it("ignores a late EFFECT_FAILED of another effect: only the stage's own effect can fail it", () => {
      const then = spec.given(jobInput, [ev.start()]).when(ev.effectFailed('reportSessionFailure'));
      expect(then.value).toBe('cloning');
      expect(then.context.failures).toEqual([]);
      expect(then.recorded).toEqual(['EFFECT_FAILED']);
    });
  });

  describe('crash before the click (INTERRUPTED)', () => {
    it.each([
      ['cloning', [ev.start()]],
      ['validating', [ev.start(), ev.cloned()]],
      ['filling', [ev.start(), ev.cloned(), ev.valid(), ev.filled('applicant')]],
    ] as const)('in %s goes back to pending, closes the clone, and the attempt counts', (stage, given) => {
      const then = spec.given(jobInput, [...given]).when(ev.interrupted());
      expect(then.value).toBe('pending');
      expect(then.effects).toEqual([closeClone(1)]);
      expect(then.context.attempt).toBe(1);
      expect(then.context.failures).toEqual([expect.objectContaining({ failureType: 'interrupted', stage, attempt: 1, code: 'INTERRUPTED' })]);
      expect(spec.given(jobInput, [...given, ev.interrupted()]).when(ev.start()).context.attempt).toBe(2);
    });

    it('records the step the crash cut short', () => {
      const then = spec.given(jobInput, [ev.start(), ev.cloned(), ev.valid(), ev.filled('applicant')]).when(ev.interrupted());
      expect(then.context.failures[0].step).toBe('details');
    });

    it('on the last attempt ends in failed', () => {
      const crashed = [ev.start(), ev.interrupted()];
      const then = spec.given(jobInput, [...crashed, ...crashed, ev.start(), ev.cloned()]).when(ev.interrupted());
      expect(then.value).toBe('failed');
      expect(then.effects).toEqual([closeClone(3)]);
    });

    it('is not accepted outside an attempt', () => {
      expect(spec.given(jobInput).when(ev.interrupted()).accepted).toBe(false);
      expect(spec.given(jobInput, toSubmitting()).when(ev.interrupted()).accepted).toBe(false);
    });
  });

  describe('cancel before the click', () => {
    it.each([
      ['cloning', [ev.start()]],
      ['validating', [ev.start(), ev.cloned()]],
      ['filling', [ev.start(), ev.cloned(), ev.valid()]],
    ] as const)('in %s: cancelled, and the clone is closed at once', (stage, given) => {
      const then = spec.given(jobInput, [...given]).when(ev.cancel('duplicate request'));
      expect(then.accepted).toBe(true);
      expect(then.value).toBe('cancelled');
      expect(then.status).toBe('done');
      expect(then.effects).toEqual([closeClone(1)]);
      expect(then.context.cancelReason).toBe('duplicate request');
      expect(then.context.failures).toEqual([expect.objectContaining({ failureType: 'cancelled', stage, attempt: 1, code: 'CANCELLED' })]);
    });

    it('while pending: cancelled, no clone to close', () => {
      const then = spec.given(jobInput).when(ev.cancel());
      expect(then.value).toBe('cancelled');
      expect(then.effects).toEqual([]);
    });

    it.each([
      ['waiting', [ev.start(), ev.cloneFailed()]],
      ['failed_login_form', [ev.start(), ev.cloned(), ev.loginForm()]],
    ] as const)('while %s: cancelled, and the retry timer is cancelled with it', (_, given) => {
      const then = spec.given(jobInput, [...given]).when(ev.cancel());
      expect(then.value).toBe('cancelled');
      expect(then.effects).toEqual([]);
      expect(then.timersCancelled).toEqual(['retry']);
      expect(then.state.timers).toEqual({});
    });

    it('keeps a bounded reason', () => {
      const then = spec.given(jobInput).when(ev.cancel('x'.repeat(1_000)));
      expect(then.context.cancelReason).toHaveLength(200);
    });
  });

  it('each named step is one recorded event carrying the step', () => {
    const recorded = STEPS.map((step, i) => spec.given(jobInput, [ev.start(), ev.cloned(), ev.valid(), ...STEPS.slice(0, i).map(ev.filled)]).when(ev.filled(step)));
    expect(recorded.map((r) => r.recorded)).toEqual([['STEP_FILLED'], ['STEP_FILLED'], ['STEP_FILLED']]);
    expect(recorded.map((r) => r.context.stepsFilled.at(-1))).toEqual(STEPS);
  });
});
