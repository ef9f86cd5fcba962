// A machine the host can run: the pure XState machine plus what the host needs to know about it,
// and the types every other layer derives from it (its stored state, its events, the params of
// each effect it emits), so they are written once, in the machine's module.
import type { AnyStateMachine, ContextFrom, EventFromLogic, SnapshotFrom, StateValueFrom } from 'xstate';
import type { ActorState } from './actor-state';

/** Effect name → the params the machine passes to it. */
export type EffectParamsMap = object;

export interface MachineDefinition<TMachine extends AnyStateMachine = AnyStateMachine, TEffects extends EffectParamsMap = EffectParamsMap> {
  /** Stable id recorded on every stream it starts, e.g. `job`. */
  id: string;
  /** Bumped whenever the machine's behaviour changes; recorded on every event, reported by audit. */
  version: string;
  machine: TMachine;
  /** Streams of this machine are named `<streamPrefix><id>`, e.g. `job-`. */
  streamPrefix: string;
  /** Effects that never report an outcome (alerts, logs): not tracked as pending. */
  fireAndForget?: readonly string[];
  /**
   * Why the machine refuses `event` in `snapshot` (the host asks only after `snapshot.can(event)`
   * said no), in words an operator can act on; undefined when there is nothing more to say than
   * the state's name. The API answers 409 with it: legality and its reason live in the machine.
   */
  refusal?: (snapshot: SnapshotFrom<TMachine>, event: EventFromLogic<TMachine>) => string | undefined;
  /** Never set: carries the effect params map for typed effect handlers (`EffectHandlers<D>`). */
  readonly effectParams?: TEffects;
}

/** Any definition, whatever its machine and effects. */
export type AnyMachineDefinition = MachineDefinition<AnyStateMachine, EffectParamsMap>;

/** The state a definition's streams store in every event: typed context and state value. */
export type StateOf<D> = D extends MachineDefinition<infer M, infer _E> ? ActorState<ContextFrom<M>, StateValueFrom<M>> : never;

/** The events a definition's machine accepts. */
export type EventOf<D> = D extends MachineDefinition<infer M, infer _E> ? EventFromLogic<M> : never;

/** The effect params map of a definition. */
export type EffectsOf<D> = D extends MachineDefinition<infer _M, infer E> ? E : never;

/** Host-handled actions: durable timers. Every other action a machine emits is an effect. */
export const TIMER_ACTIONS = { schedule: 'scheduleTimer', cancel: 'cancelTimer' } as const;

export interface ScheduleTimerParams {
  name: string;
  delayMs: number;
}

export interface CancelTimerParams {
  name: string;
}

/** The event a fired timer sends to its machine. */
export function timerEventType(name: string): string {
  return `TIMER.${name}`;
}
