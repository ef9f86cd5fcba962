import type { RecordedEvent } from '@engine/core';
import { JOB_MACHINE } from '@engine/machines';
import { INSPECT_PROTOCOL_VERSION, toInspectionEvents } from './xstate-inspection-events';

const recorded = (version: number, type: string, data: unknown, value: unknown): RecordedEvent => ({
  stream: 'job-x',
  version,
  position: version,
  type,
  data,
  stateAfter: value === undefined ? null : { value, context: { jobId: 'x' }, status: 'active', effects: {}, timers: {} },
  meta: { at: '2026-01-01T00:00:00.000Z' },
  hash: '',
  prevHash: '',
});

describe('toInspectionEvents', () => {
  it('announces a started stream as an actor with its machine definition, then its initial snapshot', () => {
    const [actor, snapshot, ...rest] = toInspectionEvents(recorded(1, 'actor.started', { input: { jobId: 'x' } }, 'pending'), JOB_MACHINE, false);
    expect(rest).toEqual([]);
    expect(actor).toMatchObject({ type: '@xstate.actor', sessionId: 'job-x', rootId: 'job-x', name: 'job', _version: INSPECT_PROTOCOL_VERSION, snapshot: { value: 'pending', status: 'active' } });
    expect(JSON.parse((actor as { definition: string }).definition)).toMatchObject({ id: 'job', initial: 'pending' });
    expect(snapshot).toMatchObject({ type: '@xstate.snapshot', event: { type: 'xstate.init', input: { jobId: 'x' } }, snapshot: { value: 'pending' } });
    expect(actor.createdAt).toBe(String(Date.parse('2026-01-01T00:00:00.000Z')));
  });

  it('sends a machine event and the snapshot it led to; an unannounced stream is announced first', () => {
    const event = recorded(2, 'START', { at: 't' }, 'cloning');
    expect(toInspectionEvents(event, JOB_MACHINE, true).map((m) => m.type)).toEqual(['@xstate.event', '@xstate.snapshot']);
    const late = toInspectionEvents(event, JOB_MACHINE, false);
    expect(late.map((m) => m.type)).toEqual(['@xstate.actor', '@xstate.event', '@xstate.snapshot']);
    expect(late[1]).toMatchObject({ event: { type: 'START', at: 't' }, sessionId: 'job-x', sourceId: undefined });
    expect(late[2]).toMatchObject({ event: { type: 'START' }, snapshot: { value: 'cloning', context: { jobId: 'x' } } });
  });

  it('sends nothing for host bookkeeping and pure facts', () => {
    expect(toInspectionEvents(recorded(3, 'timer.scheduled', { name: 'retry' }, 'waiting'), JOB_MACHINE, true)).toEqual([]);
    expect(toInspectionEvents(recorded(1, 'workflow.created', {}, undefined), undefined, false)).toEqual([]);
  });
});
