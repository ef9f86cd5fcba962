// Specification of the heartbeat machine: given these events, when this event, then this
// state, these effects and these timers.
import { machineSpec } from '@engine/core/testing';
import { HEARTBEAT_MACHINE } from './heartbeat.machine';

const input = { target: 'browser-1', intervalMs: 30_000, retryMs: 5_000, maxMisses: 3 };
const spec = machineSpec(HEARTBEAT_MACHINE);

describe('heartbeat machine', () => {
  it('starts by probing its target', () => {
    const { now } = spec.given(input);
    expect(now.value).toBe('probing');
    expect(now.effects).toEqual([{ type: 'probeTarget', params: { target: 'browser-1' } }]);
  });

  it('after a good probe waits one interval on a durable timer', () => {
    const then = spec.given(input).when({ type: 'PROBE_OK', at: '2026-01-01T00:00:01.000Z', elapsedMs: 12 });
    expect(then.value).toBe('healthy');
    expect(then.context.lastOkAt).toBe('2026-01-01T00:00:01.000Z');
    expect(then.timersArmed).toEqual([{ name: 'next', delayMs: 30_000 }]);
    expect(then.recorded).toEqual(['PROBE_OK', 'timer.scheduled']);
  });

  it('probes again when the timer fires', () => {
    const then = spec.given(input, [{ type: 'PROBE_OK', at: 'x', elapsedMs: 1 }]).when({ type: 'TIMER.next' });
    expect(then.value).toBe('probing');
    expect(then.context.probes).toBe(2);
    expect(then.effects).toEqual([{ type: 'probeTarget', params: { target: 'browser-1' } }]);
  });

  it('a miss retries sooner and counts', () => {
    const then = spec.given(input).when({ type: 'PROBE_FAILED', at: 'x', reason: 'login-form' });
    expect(then.value).toBe('suspect');
    expect(then.context.misses).toBe(1);
    expect(then.timersArmed).toEqual([{ name: 'next', delayMs: 5_000 }]);
  });

  it('a good probe resets the miss count', () => {
    const then = spec
      .given(input, [{ type: 'PROBE_FAILED', at: 'x', reason: 'timeout' }, { type: 'TIMER.next' }])
      .when({ type: 'PROBE_OK', at: 'y', elapsedMs: 3 });
    expect(then.context.misses).toBe(0);
  });

  it('is dead after maxMisses misses in a row, with the last reason, and keeps no timer', () => {
    const miss = { type: 'PROBE_FAILED', at: 'x', reason: 'timeout' } as const;
    const then = spec.given(input, [miss, { type: 'TIMER.next' }, miss, { type: 'TIMER.next' }]).when({ ...miss, reason: 'disconnected' });
    expect(then.value).toBe('dead');
    expect(then.status).toBe('done');
    expect(then.state.output).toEqual({ misses: 3, lastFailure: 'disconnected' });
    expect(then.state.timers).toEqual({});
  });

  it('counts a probe effect that threw as a miss', () => {
    const then = spec.given(input).when({ type: 'EFFECT_FAILED', effect: 'probeTarget', error: { code: 'TIMEOUT', message: 'm' } });
    expect(then.value).toBe('suspect');
    expect(then.context.lastFailure).toBe('TIMEOUT');
  });

  it('STOP while waiting cancels the armed timer', () => {
    const then = spec.given(input, [{ type: 'PROBE_OK', at: 'x', elapsedMs: 1 }]).when({ type: 'STOP' });
    expect(then.value).toBe('stopped');
    expect(then.timersCancelled).toEqual(['next']);
    expect(then.recorded).toEqual(['STOP', 'timer.cancelled']);
  });

  it('does not accept STOP while a probe is running', () => {
    expect(spec.given(input).when({ type: 'STOP' }).accepted).toBe(false);
  });
});
