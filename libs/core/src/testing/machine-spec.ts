// Given/when/then specifications for machines, on the pure step alone: no store, no host,
// no browser, no sleeps. `given` folds events from the initial state; `when` applies one more
// and exposes the resulting state, effects and timers.
import type { InputFrom } from 'xstate';
import type { EngineEvent } from '../host/effects';
import type { ActorState } from '../host/actor-state';
import type { AnyMachineDefinition, StateOf } from '../host/machine-definition';
import { stepEvent, stepStart, type StepResult } from '../host/step';

/** `TState` is the machine's stored state (`StateOf<typeof JOB_MACHINE>`): context and value are typed. */
export interface SpecOutcome<TState extends ActorState = ActorState> {
  state: TState;
  value: TState['value'];
  context: TState['context'];
  status: ActorState['status'];
  /** Effects started by this step, without ids: `{ type, params }`. */
  effects: { type: string; params: unknown }[];
  timersArmed: { name: string; delayMs: number }[];
  timersCancelled: string[];
  /** Types of the events the host would append. */
  recorded: string[];
  /** False when the machine did not accept the event as a command. */
  accepted: boolean;
}

export interface GivenSpec<TState extends ActorState = ActorState> {
  when(event: EngineEvent, origin?: { effectId?: string; timerId?: string; atMs?: number }): SpecOutcome<TState>;
  /** The state after the given events. */
  readonly now: SpecOutcome<TState>;
}

const STREAM = 'spec-1';
const T0 = Date.UTC(2026, 0, 1);

export function machineSpec<D extends AnyMachineDefinition>(def: D) {
  type State = StateOf<D> & ActorState;
  return {
    given(input: InputFrom<D['machine']>, events: EngineEvent[] = []): GivenSpec<State> {
      let at = T0;
      let version = 0;
      let result = stepStart(def, STREAM, input, { at });
      version += result.records.length;
      let outcome = toOutcome<State>(result, at, true);
      for (const event of events) {
        at += 1_000;
        result = stepEvent(def, STREAM, version, result.state, result.snapshot, event, { at });
        version += result.records.length;
        outcome = toOutcome<State>(result, at, true);
      }
      const base = result;
      const baseAt = at;
      return {
        now: outcome,
        when(event, origin = {}) {
          const whenAt = origin.atMs ?? baseAt + 1_000;
          const accepted = base.state.status === 'active' && base.snapshot.can(event);
          const next = stepEvent(def, STREAM, version, base.state, base.snapshot, event, { at: whenAt, ...origin });
          return toOutcome<State>(next, whenAt, accepted);
        },
      };
    },
  };
}

function toOutcome<TState extends ActorState>(result: StepResult, at: number, accepted: boolean): SpecOutcome<TState> {
  // The step ran `def`'s machine, so its state is that machine's state.
  const state = result.state as TState;
  return {
    state,
    value: state.value,
    context: state.context,
    status: result.state.status,
    effects: result.effects.map(({ type, params }) => ({ type, params })),
    timersArmed: result.timersArmed.map((t) => ({ name: t.name, delayMs: t.dueAt - at })),
    timersCancelled: result.timersCancelled.map((t) => t.name),
    recorded: result.records.map((r) => r.type),
    accepted,
  };
}
