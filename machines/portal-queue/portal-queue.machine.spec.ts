// Specifications of a portal's queue: an operator pauses it and resumes it; each command is
// accepted only where it means something, and the refusal says why.
import { resolveSnapshot } from '@engine/core';
import { machineSpec } from '@engine/core/testing';
import type { PortalQueueEvent } from './portal-queue.events';
import { isQueuePaused, PORTAL_QUEUE_MACHINE, portalQueueRefusal, QUEUE_REASON_MAX } from './portal-queue.machine';

const spec = machineSpec(PORTAL_QUEUE_MACHINE);
const INPUT = { portal: 'portal-a' };
const pause = (reason?: string): PortalQueueEvent => ({ type: 'PAUSE', by: 'inspector', at: '2026-01-01T10:00:00.000Z', ...(reason === undefined ? {} : { reason }) });
const resume = (): PortalQueueEvent => ({ type: 'RESUME', by: 'api', at: '2026-01-01T11:00:00.000Z' });

describe('portal queue', () => {
  it('starts running, with nobody named', () => {
    const { now } = spec.given(INPUT);
    expect(now.value).toBe('running');
    expect(now.context).toEqual({ portal: 'portal-a', pausedBy: null, pausedAt: null, reason: null, resumedBy: null, resumedAt: null, pauses: 0 });
    expect(isQueuePaused(now)).toBe(false);
  });

  it('a pause records who paused it, when and why, and tags it paused', () => {
    const then = spec.given(INPUT).when(pause('portal maintenance'));
    expect(then.accepted).toBe(true);
    expect(then.value).toBe('paused');
    expect(then.context).toMatchObject({ pausedBy: 'inspector', pausedAt: '2026-01-01T10:00:00.000Z', reason: 'portal maintenance', pauses: 1 });
    expect(isQueuePaused(then)).toBe(true);
    expect(then.effects).toEqual([]);
  });

  it('a resume records who resumed it and clears the pause', () => {
    const then = spec.given(INPUT, [pause('x')]).when(resume());
    expect(then.accepted).toBe(true);
    expect(then.value).toBe('running');
    expect(then.context).toMatchObject({ pausedBy: null, pausedAt: null, reason: null, resumedBy: 'api', resumedAt: '2026-01-01T11:00:00.000Z', pauses: 1 });
    expect(isQueuePaused(then)).toBe(false);
  });

  it('keeps a reason short', () => {
    const then = spec.given(INPUT).when(pause('r'.repeat(QUEUE_REASON_MAX + 50)));
    expect(then.context.reason).toHaveLength(QUEUE_REASON_MAX);
  });

  it('refuses a pause while paused and a resume while running, saying why', () => {
    const paused = spec.given(INPUT, [pause()]);
    expect(paused.when(pause()).accepted).toBe(false);
    expect(portalQueueRefusal(resolveSnapshot(PORTAL_QUEUE_MACHINE, paused.now.state), pause())).toBe('the queue of portal portal-a is already paused (by inspector since 2026-01-01T10:00:00.000Z)');
    const running = spec.given(INPUT);
    expect(running.when(resume()).accepted).toBe(false);
    expect(portalQueueRefusal(resolveSnapshot(PORTAL_QUEUE_MACHINE, running.now.state), resume())).toBe('the queue of portal portal-a is not paused');
  });

  it('pauses again after a resume, counting the pauses', () => {
    const then = spec.given(INPUT, [pause(), resume()]).when(pause());
    expect(then.value).toBe('paused');
    expect(then.context.pauses).toBe(2);
  });
});
