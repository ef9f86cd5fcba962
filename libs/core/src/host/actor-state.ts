// The full state of one actor as stored in each event's `stateAfter`: the machine snapshot
// (value, context, status, output) plus the host's bookkeeping (effects started and not yet
// answered, durable timers not yet fired). Everything here is derived from the log.
import type { AnyMachineSnapshot, StateValue } from 'xstate';

export interface PendingEffect {
  type: string;
  params: unknown;
}

export interface PendingTimer {
  id: string;
  /** Epoch ms. */
  dueAt: number;
}

/**
 * `TContext` and `TValue` narrow the machine part for one machine (see `StateOf` in
 * machine-definition.ts); the defaults describe any stream.
 */
export interface ActorState<TContext = unknown, TValue extends StateValue = StateValue> {
  value: TValue;
  context: TContext;
  status: 'active' | 'done' | 'error' | 'stopped';
  output?: unknown;
  /** Effect id `<stream>:<version>:<n>` → the effect, for effects whose outcome is awaited. */
  effects: Record<string, PendingEffect>;
  /** Timer name → the armed timer. */
  timers: Record<string, PendingTimer>;
}

/** Round-trips through JSON so that what we compare is exactly what the store holds. */
export function jsonNormalize<T>(value: T): T {
  return value === undefined ? value : (JSON.parse(JSON.stringify(value)) as T);
}

/**
 * The machine's part of the state, as XState holds it (not yet JSON-normal: the step makes each
 * recorded state JSON-normal as a whole, see canonicalEvent).
 */
export function machinePart(snapshot: AnyMachineSnapshot): Pick<ActorState, 'value' | 'context' | 'status' | 'output'> {
  const part: Pick<ActorState, 'value' | 'context' | 'status' | 'output'> = {
    value: snapshot.value,
    context: snapshot.context,
    status: snapshot.status,
  };
  if (snapshot.output !== undefined) part.output = snapshot.output;
  return part;
}
