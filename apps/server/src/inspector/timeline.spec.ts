import type { RecordedEvent } from '@engine/core';
import { buildTimeline } from './timeline';

const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s)).toISOString();
const event = (version: number, type: string, second: number, value: unknown): RecordedEvent => ({
  stream: 'job-1',
  version,
  position: version,
  type,
  data: {},
  stateAfter: value === null ? null : { value, context: {}, status: 'active', effects: {}, timers: {} },
  meta: { at: at(second) },
  hash: '',
  prevHash: '',
});

describe('buildTimeline', () => {
  it('gives each event the state after it and how long that state lasted, and totals time per state', () => {
    const timeline = buildTimeline([
      event(1, 'actor.started', 0, 'pending'),
      event(2, 'START', 5, 'cloning'),
      event(3, 'CLONE_FAILED', 7, 'waiting'),
      event(4, 'timer.scheduled', 7, null),
      event(5, 'TIMER.retry', 67, 'pending'),
      event(6, 'START', 70, 'cloning'),
    ]);
    expect(timeline.entries.map((e) => [e.version, e.state, e.durationMs])).toEqual([
      [1, 'pending', 5000],
      [2, 'cloning', 2000],
      [3, 'waiting', 0],
      [4, 'waiting', 60000],
      [5, 'pending', 3000],
      [6, 'cloning', null],
    ]);
    expect(timeline.timeInState).toEqual([
      { state: 'waiting', totalMs: 60000, entries: 2 },
      { state: 'pending', totalMs: 8000, entries: 2 },
      { state: 'cloning', totalMs: 2000, entries: 2 },
    ]);
  });
});
