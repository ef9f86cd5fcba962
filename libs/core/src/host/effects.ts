// Effects are implemented in libs and injected by name: the host maps each action a machine
// emits to one handler here. A handler's outcome comes back to the machine as an event.
// Handlers are typed from the machine's definition (`EffectHandlers<typeof JOB_MACHINE>`): the
// params each effect receives, the state it sees and the events it may answer with.
import type { EventObject } from 'xstate';
import type { ActorState } from './actor-state';
import type { EffectsOf, EventOf, StateOf } from './machine-definition';

/** An event with its payload fields: what commands, outcomes and timers deliver to a machine. */
export type EngineEvent = EventObject & Record<string, unknown>;

/** What the host accepts as a command: a payload record, or one machine's typed event. */
export type CommandEvent = EngineEvent | EventObject;

/** Sends a command to any stream, as the API would: refused (InvalidCommandError) when its machine does not accept it now. */
export type CommandSender = (stream: string, event: CommandEvent) => Promise<unknown>;

export interface EffectContext<TState extends ActorState = ActorState> {
  stream: string;
  /** `<stream>:<version>:<n>`; the outcome event is recorded with it, a second outcome is ignored. */
  effectId: string;
  /** Aborted when the host stops or the effect is cancelled. */
  signal: AbortSignal;
  /** The actor state right after the event that started the effect. */
  state: TState;
  /** Commands to other streams (a job telling its master session the session is gone). */
  send: CommandSender;
  /**
   * Resolves when this process still holds the stream; with several workers it asks the lease
   * table whether this worker's fencing token is still the current one, and rejects (e.g.
   * FencedOffError) when it is not. Call it right before a step that cannot be taken back (a
   * portal submission): a paused worker whose lease passed on must not act. Always resolves in
   * a single process.
   */
  confirmHeld(): Promise<void>;
}

export interface EffectHandler<TParams = unknown, TState extends ActorState = ActorState, TOutcome extends EventObject = EngineEvent> {
  /** Returns the outcome event (tracked effects) or nothing (fire-and-forget). Throwing reports EFFECT_FAILED. */
  run(params: TParams, ctx: EffectContext<TState>): Promise<TOutcome | void>;
  /**
   * What to do at start-up with this effect when it was started (recorded) but never reported:
   * absent, the host runs it again (idempotent effects); present, it looks the outcome up and
   * returns the event to record instead (a portal submission is never re-run blindly).
   */
  onInterrupted?(params: TParams, ctx: EffectContext<TState>): Promise<TOutcome>;
}

/** Every effect of one machine, typed from its definition. */
export type EffectHandlers<D> = {
  [K in keyof EffectsOf<D>]: EffectHandler<EffectsOf<D>[K], StateOf<D>, EventOf<D>>;
};

/**
 * What the host holds: handlers by effect name, over all machines. A typed handler fits here
 * because a method's parameters are compared both ways; the host hands each handler the params
 * its machine recorded for it.
 */
export type EffectRegistry = Record<string, EffectHandler>;

/** Reported when a handler throws instead of returning its own failure event. */
export interface EffectFailedEvent extends EngineEvent {
  type: 'EFFECT_FAILED';
  effect: string;
  /** Which run failed, and with what params: a machine tells a late failure of an old run from the current one. */
  effectId: string;
  params: unknown;
  error: { code: string; message: string };
}
