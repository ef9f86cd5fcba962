// The state a recorded event left its stream in, as the inspector shows it: the machine's state
// value and its readable label, the status and the context (or, for a pure fact, its type).
import type { ActorState, RecordedEvent } from '@engine/core';
import { stateLabel } from './chart/statechart-graph';

export interface CurrentState {
  version: number;
  value: unknown;
  state: string;
  status: string;
  context: unknown;
}

export function currentOf(event: RecordedEvent): CurrentState {
  const state = event.stateAfter as Partial<ActorState> | null;
  return {
    version: event.version,
    value: state?.value ?? null,
    state: state?.value !== undefined ? stateLabel(state.value) : event.type,
    status: typeof state?.status === 'string' ? state.status : 'fact',
    context: state?.context ?? null,
  };
}
