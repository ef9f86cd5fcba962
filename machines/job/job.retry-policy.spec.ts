// Job machine version 2: retries that do not wait for nothing. A job that met the login form
// retries as soon as its master session is logged in again (SESSION_READY), the fixed delay only
// a fallback; with `retryBackoff` the waits between attempts grow exponentially with jitter; with
// `lookupRetries` a failed portal search is tried again, durably and with backoff, before the
// job goes to needs_review. Without them a job behaves exactly as in version 1.
import { machineSpec } from '@engine/core/testing';
import { backoffWithJitterMs } from '../backoff';
import { ev, jobInput, toSubmitting } from './job.fixtures';
import { JOB_MACHINE } from './job.machine';

const spec = machineSpec(JOB_MACHINE);
const sessionReady = { type: 'SESSION_READY' as const, at: '2026-01-01T00:02:00.000Z' };
const find = { type: 'findSubmission', params: { portal: 'sim', businessKey: 'BK-1' } };

describe('job machine v2: the login form', () => {
  const metLoginForm = [ev.start(), ev.cloned(), ev.loginForm()];

  it('waits for the master session, with the fixed delay as the fallback', () => {
    const { now } = spec.given(jobInput, metLoginForm);
    expect(now.value).toBe('failed_login_form');
    expect(now.timersArmed).toEqual([{ name: 'retry', delayMs: 60_000 }]);
  });

  it('SESSION_READY makes it runnable at once and cancels the fallback timer', () => {
    const then = spec.given(jobInput, metLoginForm).when(sessionReady);
    expect(then.accepted).toBe(true);
    expect(then.value).toBe('pending');
    expect(then.timersCancelled).toEqual(['retry']);
    expect(then.context.attempt).toBe(1);
  });

  it('SESSION_READY means nothing to a job that is not waiting on the login form', () => {
    expect(spec.given(jobInput).when(sessionReady).accepted).toBe(false);
    expect(spec.given(jobInput, [ev.start(), ev.cloneFailed()]).when(sessionReady).accepted).toBe(false);
    expect(spec.given(jobInput, [ev.start(), ev.cloned()]).when(sessionReady).accepted).toBe(false);
  });
});

describe('job machine v2: backoff between attempts', () => {
  const input = { ...jobInput, maxAttempts: 5, retryBackoff: { minMs: 1_000, maxMs: 30_000 } };

  it('keeps the policy in the context only when the input has one (a version-1 context is unchanged)', () => {
    expect(spec.given(input).now.context.retryBackoff).toEqual({ minMs: 1_000, maxMs: 30_000 });
    expect('retryBackoff' in spec.given(jobInput).now.context).toBe(false);
    expect('lookupRetries' in spec.given(jobInput).now.context).toBe(false);
  });

  it('each failed attempt waits longer, jittered into the upper half, up to the maximum', () => {
    const fail = [ev.start(), ev.cloneFailed()];
    const waits = [1, 2, 3, 4].map((n) => spec.given(input, [...Array.from({ length: n - 1 }, () => [...fail, ev.retryTimer()]).flat(), ...fail]).now.timersArmed[0].delayMs);
    expect(waits).toEqual([1, 2, 3, 4].map((n) => backoffWithJitterMs({ minMs: 1_000, maxMs: 30_000 }, n, 'j1')));
    waits.forEach((wait, i) => {
      const ceiling = Math.min(30_000, 1_000 * 2 ** i);
      expect(wait).toBeGreaterThanOrEqual(ceiling / 2);
      expect(wait).toBeLessThanOrEqual(ceiling);
    });
  });

  it('without a policy the fixed delay stays', () => {
    expect(spec.given(jobInput, [ev.start(), ev.cloneFailed()]).now.timersArmed).toEqual([{ name: 'retry', delayMs: 60_000 }]);
  });
});

describe('job machine v2: a failed search is tried again before needs_review', () => {
  const input = { ...jobInput, lookupRetries: { max: 2, minMs: 5_000, maxMs: 60_000 } };
  const reconciling = [...toSubmitting(), ev.submitFailed()];

  it('a failed lookup waits with backoff (still the submitting attempt) and searches again', () => {
    const then = spec.given(input, reconciling).when(ev.lookupFailed());
    expect(then.value).toBe('reconcileWaiting');
    expect(then.context).toMatchObject({ lookupsFailed: 1, lastLookupCode: 'SEARCH_DOWN' });
    expect(then.timersArmed).toEqual([{ name: 'reconcile', delayMs: backoffWithJitterMs({ minMs: 5_000, maxMs: 60_000 }, 1, 'j1:lookup') }]);
    expect(then.effects).toEqual([]);
    const again = spec.given(input, [...reconciling, ev.lookupFailed()]).when(ev.reconcileTimer());
    expect(again.value).toBe('reconciling');
    expect(again.effects).toEqual([find]);
  });

  it('a search that threw counts the same', () => {
    expect(spec.given(input, reconciling).when(ev.effectFailed('findSubmission', 'TIMEOUT')).value).toBe('reconcileWaiting');
  });

  it('after `max` failed searches the job needs review, as in version 1', () => {
    const history = [...reconciling, ev.lookupFailed(), ev.reconcileTimer(), ev.lookupFailed(), ev.reconcileTimer()];
    const then = spec.given(input, history).when(ev.lookupFailed());
    expect(then.value).toBe('needs_review');
    expect(then.context.lookup).toBe('impossible');
  });

  it('a search that succeeds after a failure ends the job as usual', () => {
    const then = spec.given(input, [...reconciling, ev.lookupFailed(), ev.reconcileTimer()]).when(ev.found('REF-LATE'));
    expect(then.value).toBe('submitted');
    expect(then.context.reference).toBe('REF-LATE');
  });

  it('without lookupRetries one failed search still means needs_review', () => {
    expect(spec.given(jobInput, reconciling).when(ev.lookupFailed()).value).toBe('needs_review');
  });

  it('a job in reconcileWaiting cannot be cancelled: the portal may hold the submission', () => {
    expect(spec.given(input, [...reconciling, ev.lookupFailed()]).when(ev.cancel()).accepted).toBe(false);
  });
});

describe('job machine v2: a click that met the login page', () => {
  const input = { ...jobInput, retryWhenLoggedOutAtSubmit: true };
  const loggedOutClick = { type: 'SUBMIT_FAILED' as const, code: 'SESSION_EXPIRED', artifactRef: null, at: '2026-01-01T00:01:00.000Z' };

  it('once the search confirms no submission, tells the session and waits for it like a login form, then retries', () => {
    const then = spec.given(input, [...toSubmitting(), loggedOutClick]).when(ev.notFound());
    expect(then.value).toBe('failed_login_form');
    expect(then.context.lookup).toBe('not_found');
    expect(then.effects.map((e) => e.type)).toEqual(['reportSessionFailure', 'closeClone']);
    expect(spec.given(input, [...toSubmitting(), loggedOutClick, ev.notFound()]).when(sessionReady).value).toBe('pending');
  });

  it('any other error after the click, or without the input flag, ends failed_post_submission as in version 1', () => {
    const otherError = spec.given(input, [...toSubmitting(), ev.submitFailed()]).when(ev.notFound());
    expect(otherError.value).toBe('capturing_artifact');
    expect(spec.given(jobInput, [...toSubmitting(), loggedOutClick]).when(ev.notFound()).value).toBe('capturing_artifact');
  });

  it('a submission the search finds is submitted, never retried', () => {
    expect(spec.given(input, [...toSubmitting(), loggedOutClick]).when(ev.found('REF-9')).value).toBe('submitted');
  });

  it('without attempts left it ends failed_post_submission', () => {
    const last = { ...input, maxAttempts: 1 };
    expect(spec.given(last, [...toSubmitting(), loggedOutClick]).when(ev.notFound()).value).toBe('capturing_artifact');
  });
});
