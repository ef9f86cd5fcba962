// Specification of the pooled-session machine: given these events, when this event, then this
// state, these effects and these timers. No host, no browser, no sleeps.
import { machineSpec } from '@engine/core/testing';
import type { EngineEvent } from '@engine/core';
import { POOLED_SESSION_MACHINE, pooledSessionInputProblems, type PooledSessionInput } from './pooled-session.machine';

const KEY = 'a'.repeat(64);
const INPUT: PooledSessionInput = { key: KEY, portal: 'portal-a', refreshMs: 60_000 };
const spec = machineSpec(POOLED_SESSION_MACHINE);

const at = '2026-01-01T00:00:05.000Z';
const opened: EngineEvent = { type: 'SESSION_OPENED', at };
const lease = (leaseId = 'lease-1', ttlMs = 300_000): EngineEvent => ({ type: 'LEASE', leaseId, at, expiresAt: new Date(Date.parse(at) + ttlMs).toISOString() });
const release = (leaseId = 'lease-1'): EngineEvent => ({ type: 'RELEASE', leaseId, at });
const refreshed: EngineEvent = { type: 'REFRESHED', at };
const timer = (name: string): EngineEvent => ({ type: `TIMER.${name}` });
const effectFailed = (effect: string): EngineEvent => ({ type: 'EFFECT_FAILED', effect, effectId: 'x', params: null, error: { code: 'TIMEOUT', message: 'm' } });

describe('pooled-session machine', () => {
  it('opens the session for its key and portal', () => {
    const { now } = spec.given(INPUT);
    expect(now.value).toBe('opening');
    expect(now.effects).toEqual([{ type: 'openSession', params: { key: KEY, portal: 'portal-a' } }]);
  });

  it('refuses a key that is not a sha256 digest, so credentials cannot become a stream name or an event', () => {
    // XState turns the throwing context factory into an error snapshot; the host then appends nothing.
    expect(spec.given({ ...INPUT, key: 'agent@portal' }).now.status).toBe('error');
    expect(pooledSessionInputProblems({ ...INPUT, key: 'agent@portal' })).toEqual(['key must be a sha256 hex digest']);
  });

  it('once open, waits idle with the refresh timer armed', () => {
    const then = spec.given(INPUT).when(opened);
    expect(then.value).toBe('idle');
    expect(then.timersArmed).toEqual([{ name: 'refresh', delayMs: 60_000 }]);
  });

  it('refreshes when the timer fires while idle, and re-arms it afterwards', () => {
    const refreshing = spec.given(INPUT, [opened]).when(timer('refresh'));
    expect(refreshing.value).toBe('refreshing');
    expect(refreshing.effects).toEqual([{ type: 'refreshSession', params: { key: KEY, refresh: 1, expiredLeaseId: null } }]);
    const done = spec.given(INPUT, [opened, timer('refresh')]).when(refreshed);
    expect(done.value).toBe('idle');
    expect(done.context.refreshes).toBe(1);
    expect(done.timersArmed).toEqual([{ name: 'refresh', delayMs: 60_000 }]);
  });

  it('a lease carries its id and expiry and arms the lease-expiry timer', () => {
    const then = spec.given(INPUT, [opened]).when(lease('lease-1', 120_000));
    expect(then.value).toBe('leased');
    expect(then.context.lease).toEqual({ leaseId: 'lease-1', expiresAt: '2026-01-01T00:02:05.000Z' });
    expect(then.timersArmed).toEqual([{ name: 'leaseExpiry', delayMs: 120_000 }]);
  });

  it('does not refresh under a holder: the timer only marks the refresh due', () => {
    const then = spec.given(INPUT, [opened, lease()]).when(timer('refresh'));
    expect(then.value).toBe('leased');
    expect(then.effects).toEqual([]);
    expect(then.context.refreshDue).toBe(true);
  });

  it('refreshes right after the release when a refresh fell due during the lease', () => {
    const then = spec.given(INPUT, [opened, lease(), timer('refresh')]).when(release());
    expect(then.value).toBe('refreshing');
    expect(then.timersCancelled).toEqual(['leaseExpiry']);
    expect(then.effects.map((e) => e.type)).toEqual(['refreshSession']);
  });

  it('a release with nothing due goes back to idle and keeps the refresh timer running', () => {
    const then = spec.given(INPUT, [opened, lease()]).when(release());
    expect(then.value).toBe('idle');
    expect(then.context.lease).toBeNull();
    expect(Object.keys(then.state.timers)).toEqual(['refresh']);
  });

  it('refuses a lease that has ended before it starts', () => {
    expect(spec.given(INPUT, [opened]).when(lease('lease-1', 0)).accepted).toBe(false);
    expect(spec.given(INPUT, [opened]).when({ type: 'LEASE', leaseId: 'l', at, expiresAt: 'soon' }).accepted).toBe(false);
  });

  it('refuses a release of another lease', () => {
    const then = spec.given(INPUT, [opened, lease('lease-1')]).when(release('lease-0'));
    expect(then.accepted).toBe(false);
    expect(then.value).toBe('leased');
  });

  it('refuses a second lease while leased, and a lease while opening or refreshing', () => {
    expect(spec.given(INPUT, [opened, lease()]).when(lease('lease-2')).accepted).toBe(false);
    expect(spec.given(INPUT).when(lease()).accepted).toBe(false);
    expect(spec.given(INPUT, [opened, timer('refresh')]).when(lease()).accepted).toBe(false);
  });

  it('a crashed holder\'s lease expires on its timer; the refresh that follows names the expired lease', () => {
    const then = spec.given(INPUT, [opened, lease('lease-1')]).when(timer('leaseExpiry'));
    expect(then.value).toBe('refreshing');
    expect(then.context.lease).toBeNull();
    expect(then.context.expiredLeases).toBe(1);
    expect(then.effects).toEqual([{ type: 'refreshSession', params: { key: KEY, refresh: 1, expiredLeaseId: 'lease-1' } }]);
    const after = spec.given(INPUT, [opened, lease('lease-1'), timer('leaseExpiry')]).when(refreshed);
    expect(after.value).toBe('idle');
    expect(after.context.expiredLeaseId).toBeNull();
  });

  it('a late release of an expired lease is refused', () => {
    const then = spec.given(INPUT, [opened, lease('lease-1'), timer('leaseExpiry'), refreshed]).when(release('lease-1'));
    expect(then.accepted).toBe(false);
  });

  it('a refresh that finds the portal session gone expires the session and closes it', () => {
    const then = spec.given(INPUT, [opened, timer('refresh')]).when({ type: 'REFRESH_FAILED', reason: 'login-form' });
    expect(then.value).toBe('closing');
    expect(then.context.lastFailure).toBe('login-form');
    expect(then.timersCancelled).toEqual(['refresh']);
    expect(then.effects).toEqual([{ type: 'closeSession', params: { key: KEY, reason: 'expired' } }]);
    const closed = spec.given(INPUT, [opened, timer('refresh'), { type: 'REFRESH_FAILED', reason: 'login-form' }]).when({ type: 'SESSION_CLOSED' });
    expect(closed.value).toBe('expired');
  });

  it('a refresh effect that threw also expires the session', () => {
    const then = spec.given(INPUT, [opened, timer('refresh')]).when(effectFailed('refreshSession'));
    expect(then.value).toBe('closing');
    expect(then.context.closeReason).toBe('expired');
  });

  it('is evicted from idle (least recently used) and rests in evicted once closed, timers gone', () => {
    const closing = spec.given(INPUT, [opened]).when({ type: 'EVICT' });
    expect(closing.effects).toEqual([{ type: 'closeSession', params: { key: KEY, reason: 'evicted' } }]);
    const evicted = spec.given(INPUT, [opened, { type: 'EVICT' }]).when({ type: 'SESSION_CLOSED' });
    expect(evicted.value).toBe('evicted');
    expect(evicted.state.timers).toEqual({});
  });

  it('is never evicted under a holder', () => {
    expect(spec.given(INPUT, [opened, lease()]).when({ type: 'EVICT' }).accepted).toBe(false);
  });

  it('CLOSE during a lease cancels the lease timer; a close that throws still ends in closed', () => {
    const closing = spec.given(INPUT, [opened, lease()]).when({ type: 'CLOSE' });
    expect(closing.value).toBe('closing');
    expect(closing.timersCancelled.sort()).toEqual(['leaseExpiry', 'refresh']);
    const closed = spec.given(INPUT, [opened, lease(), { type: 'CLOSE' }]).when(effectFailed('closeSession'));
    expect(closed.value).toBe('closed');
  });

  it('a session that could not be opened fails, and can be reopened', () => {
    const failed = spec.given(INPUT, [{ type: 'OPEN_FAILED', reason: 'LOGIN_REFUSED' }]).when({ type: 'SESSION_CLOSED' });
    expect(failed.value).toBe('failed');
    expect(failed.context.lastFailure).toBe('LOGIN_REFUSED');
    const reopened = spec.given(INPUT, [{ type: 'OPEN_FAILED', reason: 'X' }, { type: 'SESSION_CLOSED' }]).when({ type: 'REOPEN' });
    expect(reopened.value).toBe('opening');
    expect(reopened.effects.map((e) => e.type)).toEqual(['openSession']);
  });

  it('a late refresh timer after a close does nothing (it was cancelled with the close)', () => {
    const then = spec.given(INPUT, [opened, { type: 'CLOSE' }, { type: 'SESSION_CLOSED' }]).when(timer('refresh'));
    expect(then.value).toBe('closed');
    expect(then.effects).toEqual([]);
  });
});
