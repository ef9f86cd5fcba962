// A machine the host can run: the pure XState machine plus what the host needs to know about it,
// and the types every other layer derives from it (its stored state, its events, the params of
// each effect it emits), so they are written once, in the machine's module.
import type { AnyStateMachine, ContextFrom, EventFromLogic, SnapshotFrom, StateValue, StateValueFrom } from 'xstate';
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
  /**
   * The older versions of this machine (same id and stream prefix) that streams may still be on.
   * A stream runs on the version it was created with or last migrated to (its last event's
   * `meta.machineVersion`); new streams start on this, the newest, version. Set on the newest
   * definition only: it is the one registered with the host, the audit and the CLI.
   */
  previous?: readonly AnyMachineDefinition[];
  /**
   * Older versions this definition changed only additively (see docs/ARCHITECTURE.md, "Machine
   * versions"): their streams run on this definition as they are and their logs replay on it.
   */
  compatibleVersions?: readonly string[];
  /** Declared migrations between versions of this machine (defineMigration); `engine migrate` applies them. */
  migrations?: readonly MachineMigration[];
  /**
   * Event type → the schema version this definition's machine reads, and the upcasters that turn
   * an older recorded payload into it. A type not listed is at schema version 1.
   */
  eventSchemas?: Readonly<Record<string, EventSchema>>;
  /** Never set: carries the effect params map for typed effect handlers (`EffectHandlers<D>`). */
  readonly effectParams?: TEffects;
}

/** The machine part of a stored state that a migration maps: state value and context. */
export interface MachineState<TValue extends StateValue = StateValue, TContext = unknown> {
  value: TValue;
  context: TContext;
}

/** A declared, pure migration of a stream's machine state from one version of a machine to the next. */
export interface MachineMigration {
  from: string;
  to: string;
  migrate(state: MachineState): MachineState;
}

/**
 * Declares the migration of `from`'s streams to `to`, typed by both machines. It must be pure and
 * total: audit replays it at every recorded migration, so it is kept as long as such a log is.
 */
export function defineMigration<FromM extends AnyStateMachine, ToM extends AnyStateMachine>(
  from: { version: string; machine: FromM },
  to: { version: string; machine: ToM },
  migrate: (state: MachineState<StateValueFrom<FromM>, ContextFrom<FromM>>) => MachineState<StateValueFrom<ToM>, ContextFrom<ToM>>,
): MachineMigration {
  return { from: from.version, to: to.version, migrate: migrate as (state: MachineState) => MachineState };
}

/** A JSON object payload, as recorded in an event's `data`. */
export type EventPayload = Record<string, unknown>;

/**
 * An event type's payload schema. Events are recorded with `meta.schemaVersion` (absent: 1);
 * replay turns an older payload into `version` through `upcasters[n]` (n → n + 1, pure) before
 * the machine sees it, so a log written before a payload change replays unchanged.
 */
export interface EventSchema {
  version: number;
  upcasters: Readonly<Record<number, (payload: EventPayload) => EventPayload>>;
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
