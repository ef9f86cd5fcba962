// A stream's event timeline for the inspector: when each event happened, what state it left
// the machine in, and how long the machine then stayed there (until the next event), plus the
// total time spent in each state. Times are the events' own `meta.at` (the injected clock).
import type { ActorState, RecordedEvent } from '@engine/core';
import { stateLabel } from './chart/statechart-graph';

export interface TimelineEntry {
  version: number;
  type: string;
  at: string;
  /** The state after this event. */
  state: string;
  status: string;
  /** How long the state after this event lasted; null for the last event (still current). */
  durationMs: number | null;
}

export interface TimeInState {
  state: string;
  totalMs: number;
  /** Events after which the machine was in this state. */
  entries: number;
}

export interface Timeline {
  entries: TimelineEntry[];
  timeInState: TimeInState[];
}

export function buildTimeline(events: readonly RecordedEvent[]): Timeline {
  const entries: TimelineEntry[] = [];
  const totals = new Map<string, TimeInState>();
  let state = '';
  let status = '';
  events.forEach((event, i) => {
    const after = event.stateAfter as Partial<ActorState> | null;
    // Host bookkeeping (timer scheduled) carries the state unchanged; a pure fact has none.
    if (after && after.value !== undefined) {
      state = stateLabel(after.value);
      status = String(after.status ?? '');
    }
    const next = events[i + 1];
    const durationMs = next ? Math.max(0, Date.parse(next.meta.at) - Date.parse(event.meta.at)) : null;
    entries.push({ version: event.version, type: event.type, at: event.meta.at, state, status, durationMs });
    const total = totals.get(state) ?? { state, totalMs: 0, entries: 0 };
    total.entries += 1;
    total.totalMs += durationMs ?? 0;
    totals.set(state, total);
  });
  return { entries, timeInState: [...totals.values()].sort((a, b) => b.totalMs - a.totalMs) };
}
