// Job machine: attempts that do not use up the budget, and a search that proves a failed click
// left nothing. An attempt that met the login form (the shared session had expired) is free up to
// the input's allowance; a refused click whose authoritative search finds nothing is tried again
// with a fresh clone. Jobs recorded without the allowance, and "not found" answers without the
// adapter's word, behave exactly as before.
import { machineSpec } from '@engine/core/testing';
import { ev, jobInput, loginFormAttempt, toSubmitting } from './job.fixtures';
import { JOB_MACHINE } from './job.machine';

const spec = machineSpec(JOB_MACHINE);
const authoritativeNotFound = { type: 'SUBMISSION_NOT_FOUND' as const, at: '2026-01-01T00:01:00.000Z', authoritative: true as const };

describe('job machine: attempts that met the login form', () => {
  const threeLoginForms = [...loginFormAttempt(), ...loginFormAttempt(), ...loginFormAttempt()];

  it('with an allowance, three login-form attempts leave a job of three attempts runnable, and it can still succeed', () => {
    const input = { ...jobInput, maxAttempts: 3, freeLoginFormAttempts: 10 };
    const { now } = spec.given(input, threeLoginForms);
    expect(now.value).toBe('pending');
    expect(now.context.attempt).toBe(3);
    const then = spec.given(input, [...threeLoginForms, ...toSubmitting(), ev.submitted()]);
    expect(then.now.value).toBe('submitted');
    expect(then.now.context.attempt).toBe(4);
  });

  it('counts login-form attempts beyond the allowance', () => {
    const input = { ...jobInput, maxAttempts: 2, freeLoginFormAttempts: 1 };
    // Three login forms: one is free, two count: the budget of two is spent.
    const loginForms = [...loginFormAttempt(), ...loginFormAttempt(), ev.start(), ev.cloned(), ev.loginForm()];
    expect(spec.given(input, loginForms).now.value).toBe('failed');
  });

  it('other failures count as before, with or without an allowance', () => {
    const input = { ...jobInput, maxAttempts: 2, freeLoginFormAttempts: 10 };
    const failures = [ev.start(), ev.cloneFailed(), ev.retryTimer(), ev.start(), ev.cloneFailed()];
    expect(spec.given(input, failures).now.value).toBe('failed');
  });

  it('without an allowance (every job recorded before it) every attempt counts', () => {
    const { now } = spec.given({ ...jobInput, maxAttempts: 3 }, [...loginFormAttempt(), ...loginFormAttempt(), ev.start(), ev.cloned(), ev.loginForm()]);
    expect(now.value).toBe('failed');
    expect('freeLoginFormAttempts' in now.context).toBe(false);
  });
});

describe('job machine: a refused click and an authoritative search', () => {
  const refused = [...toSubmitting(), ev.submitFailed()];

  it('retries with a fresh clone after the backoff when the search, by the adapter\'s word, finds nothing', () => {
    const then = spec.given(jobInput, refused).when(authoritativeNotFound);
    expect(then.accepted).toBe(true);
    expect(then.value).toBe('waiting');
    expect(then.context.lookup).toBe('not_found');
    expect(then.effects.map((e) => e.type)).toContain('closeClone');
    expect(then.timersArmed).toEqual([{ name: 'retry', delayMs: 60_000 }]);
    const next = spec.given(jobInput, [...refused, authoritativeNotFound, ev.retryTimer(), ...toSubmitting(), ev.submitted()]);
    expect(next.now.value).toBe('submitted');
    expect(next.now.context.attempt).toBe(2);
  });

  it('keeps today\'s rule for a search that is not authoritative: evidence, then failed_post_submission', () => {
    const then = spec.given(jobInput, refused).when(ev.notFound());
    expect(then.value).toBe('capturing_artifact');
  });

  it('ends failed_post_submission as before once no attempt is left', () => {
    const input = { ...jobInput, maxAttempts: 1 };
    expect(spec.given(input, refused).when(authoritativeNotFound).value).toBe('capturing_artifact');
  });

  it('a search that finds the submission still ends the job submitted', () => {
    expect(spec.given(jobInput, refused).when(ev.found('REF-9')).value).toBe('submitted');
  });
});
