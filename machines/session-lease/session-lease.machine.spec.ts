// Specifications of a session lease: opened once its copy is made, ended by a release, its ttl
// (a durable timer armed at creation) or a loss; every ending closes what was opened, and no
// event of its stream carries anything but who, when, ttl, mode and state.
import { resolveSnapshot } from '@engine/core';
import { machineSpec } from '@engine/core/testing';
import type { SessionLeaseEvent } from './session-lease.events';
import { leaseStartRefusal, SESSION_LEASE_MACHINE, sessionLeaseInputProblems, type SessionLeaseInput } from './session-lease.machine';

const spec = machineSpec(SESSION_LEASE_MACHINE);
const INPUT: SessionLeaseInput = { leaseId: 'l-1', portal: 'portal-a', mode: 'devtools', ttlMs: 60_000, by: 'script-1', at: '2026-01-01T00:00:00.000Z' };
const ev = {
  opened: (): SessionLeaseEvent => ({ type: 'LEASE_OPENED', at: '2026-01-01T00:00:02.000Z' }),
  release: (): SessionLeaseEvent => ({ type: 'RELEASE', by: 'script-1', at: '2026-01-01T00:00:30.000Z' }),
  expired: (): SessionLeaseEvent => ({ type: 'TIMER.expiry' }),
  lost: (): SessionLeaseEvent => ({ type: 'LEASE_LOST', reason: 'engine_restarted', at: '2026-01-01T00:00:40.000Z' }),
  closed: (): SessionLeaseEvent => ({ type: 'LEASE_CLOSED', at: '2026-01-01T00:00:31.000Z' }),
  failed: (effect: string): SessionLeaseEvent => ({ type: 'EFFECT_FAILED', effect, effectId: 'e1', params: {}, error: { code: 'BROWSER_LAUNCH_FAILED', message: 'no chromium' } }),
};
const close = (reason: string) => ({ type: 'closeLease', params: { leaseId: 'l-1', reason } });

describe('session lease', () => {
  it('given a request, it arms its expiry at creation and opens the copy', () => {
    const { now } = spec.given(INPUT);
    expect(now.value).toBe('opening');
    expect(now.timersArmed).toEqual([{ name: 'expiry', delayMs: 60_000 }]);
    expect(now.effects).toEqual([{ type: 'openLease', params: { leaseId: 'l-1', portal: 'portal-a', mode: 'devtools' } }]);
    expect(now.context).toMatchObject({ by: 'script-1', createdAt: INPUT.at, expiresAt: '2026-01-01T00:01:00.000Z', endReason: null });
  });

  it('when the copy is made, it is active and arms nothing more', () => {
    const then = spec.given(INPUT).when(ev.opened());
    expect(then.value).toBe('active');
    expect(then.context.openedAt).toBe('2026-01-01T00:00:02.000Z');
    expect(then.effects).toEqual([]);
    expect(then.timersArmed).toEqual([]);
  });

  it('when given back, it closes what it opened, cancels its expiry, and records who', () => {
    const then = spec.given(INPUT, [ev.opened()]).when(ev.release());
    expect(then.value).toBe('closing');
    expect(then.effects).toEqual([close('released')]);
    expect(then.timersCancelled).toEqual(['expiry']);
    expect(then.context).toMatchObject({ endReason: 'released', endedBy: 'script-1' });
    const done = spec.given(INPUT, [ev.opened(), ev.release()]).when(ev.closed());
    expect(done.value).toBe('closed');
    expect(done.status).toBe('done');
    expect(done.context.closedAt).toBe('2026-01-01T00:00:31.000Z');
  });

  it('when its ttl runs out, it closes as expired — also while still opening', () => {
    expect(spec.given(INPUT, [ev.opened()]).when(ev.expired())).toMatchObject({ value: 'closing', effects: [close('expired')] });
    expect(spec.given(INPUT).when(ev.expired())).toMatchObject({ value: 'closing', effects: [close('expired')] });
  });

  it('when what it handed out is lost (a restart), it closes as lost naming the cause', () => {
    const then = spec.given(INPUT, [ev.opened()]).when(ev.lost());
    expect(then.effects).toEqual([close('lost')]);
    expect(then.context).toMatchObject({ endReason: 'lost', endedBy: 'engine_restarted' });
  });

  it('when the copy cannot be made, it closes as open_failed with the code only', () => {
    const then = spec.given(INPUT).when(ev.failed('openLease'));
    expect(then.value).toBe('closing');
    expect(then.effects).toEqual([close('open_failed')]);
    expect(then.context.lastFailure).toBe('BROWSER_LAUNCH_FAILED');
    expect(spec.given(INPUT, [ev.opened(), ev.release()]).when(ev.failed('closeLease'))).toMatchObject({ value: 'closed', status: 'done' });
  });

  it('refuses a second release, and an outcome of another effect', () => {
    const closing = spec.given(INPUT, [ev.opened(), ev.release()]);
    expect(closing.when(ev.release()).accepted).toBe(false);
    expect(SESSION_LEASE_MACHINE.refusal(resolveSnapshot(SESSION_LEASE_MACHINE, closing.now.state), ev.release())).toBe('the lease is already ending');
    expect(spec.given(INPUT).when(ev.failed('closeLease')).accepted).toBe(false);
    expect(spec.given(INPUT, [ev.opened()]).when(ev.opened()).accepted).toBe(false);
  });

  it('bounds its input: ttl from 1 s to 1 h, a known mode, a path-safe id', () => {
    expect(sessionLeaseInputProblems(INPUT)).toEqual([]);
    expect(sessionLeaseInputProblems({ ...INPUT, ttlMs: 999 })).toEqual(['ttlMs must be an integer from 1000 to 3600000']);
    expect(sessionLeaseInputProblems({ ...INPUT, ttlMs: 3_600_001 })).toHaveLength(1);
    expect(sessionLeaseInputProblems({ ...INPUT, leaseId: '../x' })).toEqual(['leaseId must match ^[A-Za-z0-9_-]{1,64}$']);
    expect(sessionLeaseInputProblems({ ...INPUT, mode: 'master' as never })).toEqual(['mode must be one of devtools, cookies']);
    expect(spec.given({ ...INPUT, ttlMs: 0 }).now.status).toBe('error');
  });

  it('starts only from a ready master session, saying why not', () => {
    expect(leaseStartRefusal('portal-a', 'ready', true)).toBeNull();
    expect(leaseStartRefusal('portal-a', 'absent', false)).toBe('portal portal-a has no master session');
    expect(leaseStartRefusal('portal-a', 'recovering', false)).toBe('the master session of portal-a is recovering, not ready: a lease copies a logged-in session');
  });
});
