// Specifications of a job's completion callback: registered at submission, delivered once the
// job ends, retried with exponential backoff and jitter on a durable timer, undelivered after
// its attempts until an operator resends it; every attempt is a recorded event.
import { resolveSnapshot } from '@engine/core';
import { machineSpec } from '@engine/core/testing';
import { backoffWithJitterMs } from '../backoff';
import type { CallbackEvent, CallbackPayload } from './callback.events';
import { CALLBACK_MACHINE, callbackUrlProblem, type CallbackInput } from './callback.machine';

const spec = machineSpec(CALLBACK_MACHINE);
const INPUT: CallbackInput = { jobId: 'job-1', url: 'https://receiver.example/hook', at: '2026-01-01T00:00:00.000Z', policy: { maxAttempts: 3, minDelayMs: 1_000, maxDelayMs: 8_000 } };
const PAYLOAD: CallbackPayload = {
  event: 'job.finished',
  jobId: 'job-1',
  portal: 'portal-a',
  externalId: null,
  state: 'submitted',
  reference: 'PRP-2026-000001',
  failure: null,
  artifacts: [],
  finishedAt: '2026-01-01T00:01:00.000Z',
};
const ev = {
  finished: (): CallbackEvent => ({ type: 'JOB_FINISHED', payload: PAYLOAD, at: '2026-01-01T00:01:00.000Z' }),
  delivered: (status = 204): CallbackEvent => ({ type: 'DELIVERED', status, at: '2026-01-01T00:01:01.000Z', durationMs: 12 }),
  failed: (status: number | null = 503): CallbackEvent => ({ type: 'DELIVERY_FAILED', status, code: status ? `HTTP_${status}` : 'ECONNREFUSED', message: 'receiver down', at: '2026-01-01T00:01:01.000Z', durationMs: 3 }),
  retry: (): CallbackEvent => ({ type: 'TIMER.retry' }),
  resend: (): CallbackEvent => ({ type: 'RESEND', by: 'operator-1', at: '2026-01-01T02:00:00.000Z' }),
};
const deliver = (attempt: number) => ({ type: 'deliverCallback', params: { jobId: 'job-1', url: INPUT.url, attempt } });

describe('callback', () => {
  it('is registered without delivering anything until the job ends', () => {
    const { now } = spec.given(INPUT);
    expect(now.value).toBe('awaitingJob');
    expect(now.effects).toEqual([]);
    const then = spec.given(INPUT).when(ev.finished());
    expect(then.value).toBe('delivering');
    expect(then.effects).toEqual([deliver(1)]);
    expect(then.context.payload).toEqual(PAYLOAD);
  });

  it('a 2xx ends it', () => {
    const then = spec.given(INPUT, [ev.finished()]).when(ev.delivered(200));
    expect(then.value).toBe('delivered');
    expect(then.status).toBe('done');
    expect(then.context).toMatchObject({ deliveredStatus: 200, attempts: 1 });
  });

  it('a failure waits with exponential backoff and jitter, then tries again', () => {
    const first = spec.given(INPUT, [ev.finished()]).when(ev.failed(503));
    expect(first.value).toBe('waiting');
    expect(first.context.lastFailure).toMatchObject({ attempt: 1, status: 503, code: 'HTTP_503' });
    expect(first.timersArmed).toEqual([{ name: 'retry', delayMs: backoffWithJitterMs({ minMs: 1_000, maxMs: 8_000 }, 1, 'job-1') }]);
    const again = spec.given(INPUT, [ev.finished(), ev.failed()]).when(ev.retry());
    expect(again.effects).toEqual([deliver(2)]);
    const second = spec.given(INPUT, [ev.finished(), ev.failed(), ev.retry()]).when(ev.failed(null));
    const delay = second.timersArmed[0].delayMs;
    expect(delay).toBe(backoffWithJitterMs({ minMs: 1_000, maxMs: 8_000 }, 2, 'job-1'));
    expect(delay).toBeGreaterThanOrEqual(1_000);
    expect(delay).toBeLessThanOrEqual(2_000);
  });

  it('after maxAttempts it is undelivered; a resend starts a new round', () => {
    const history = [ev.finished(), ev.failed(), ev.retry(), ev.failed(), ev.retry()];
    const then = spec.given(INPUT, history).when(ev.failed(500));
    expect(then.value).toBe('undelivered');
    expect(then.timersArmed).toEqual([]);
    const resent = spec.given(INPUT, [...history, ev.failed(500)]).when(ev.resend());
    expect(resent.accepted).toBe(true);
    expect(resent.effects).toEqual([deliver(4)]);
    expect(resent.context).toMatchObject({ resends: 1, roundAttempts: 1, attempts: 4 });
  });

  it('a resend while waiting goes at once and cancels the retry timer', () => {
    const then = spec.given(INPUT, [ev.finished(), ev.failed()]).when(ev.resend());
    expect(then.value).toBe('delivering');
    expect(then.timersCancelled).toEqual(['retry']);
  });

  it('refuses a resend of a delivered callback, or before the job ended, and a second outcome', () => {
    expect(spec.given(INPUT, [ev.finished(), ev.delivered()]).when(ev.resend()).accepted).toBe(false);
    expect(spec.given(INPUT).when(ev.resend()).accepted).toBe(false);
    const delivering = spec.given(INPUT, [ev.finished()]).now.state;
    expect(CALLBACK_MACHINE.refusal(resolveSnapshot(CALLBACK_MACHINE, delivering), ev.finished())).toBe('the callback already has its job outcome');
    expect(spec.given(INPUT, [ev.finished()]).when(ev.finished()).accepted).toBe(false);
  });

  it('refuses URLs that are not http(s), too long, or carry credentials', () => {
    expect(callbackUrlProblem('https://receiver.example/hook')).toBeNull();
    expect(callbackUrlProblem('ftp://receiver.example/hook')).toBe('must use http or https');
    expect(callbackUrlProblem('not a url')).toBe('must be an absolute http(s) URL');
    expect(callbackUrlProblem(`https://r.example/${'a'.repeat(2100)}`)).toBe('must be at most 2048 characters');
    expect(callbackUrlProblem('https://user:pw@receiver.example/hook')).toMatch(/credentials/);
    expect(spec.given({ ...INPUT, url: 'javascript:alert(1)' }).now.status).toBe('error');
  });
});

describe('backoffWithJitterMs', () => {
  it('doubles up to the maximum and stays in the upper half', () => {
    const range = { minMs: 1_000, maxMs: 60_000 };
    for (let n = 1; n <= 10; n++) {
      const ceiling = Math.min(60_000, 1_000 * 2 ** (n - 1));
      const wait = backoffWithJitterMs(range, n, 'job-x');
      expect(wait).toBeGreaterThanOrEqual(Math.floor(ceiling / 2));
      expect(wait).toBeLessThanOrEqual(ceiling);
    }
    expect(new Set(['a', 'b', 'c', 'd', 'e'].map((k) => backoffWithJitterMs(range, 6, k))).size).toBeGreaterThan(1);
  });
});
