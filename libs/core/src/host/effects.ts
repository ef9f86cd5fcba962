// Effects are implemented in libs and injected by name: the host maps each action a machine
// emits to one handler here. A handler's outcome comes back to the machine as an event.
import type { EventObject } from 'xstate';

/** An event with its payload fields: what commands, outcomes and timers deliver to a machine. */
export type EngineEvent = EventObject & Record<string, unknown>;
import type { ActorState } from './actor-state';

export interface EffectContext {
  stream: string;
  /** `<stream>:<version>:<n>`; the outcome event is recorded with it, a second outcome is ignored. */
  effectId: string;
  /** Aborted when the host stops or the effect is cancelled. */
  signal: AbortSignal;
  /** The actor state right after the event that started the effect. */
  state: ActorState;
  /**
   * Resolves when this process still holds the stream; with several workers it asks the lease
   * table whether this worker's fencing token is still the current one, and rejects (e.g.
   * FencedOffError) when it is not. Call it right before a step that cannot be taken back (a
   * portal submission): a paused worker whose lease passed on must not act. Always resolves in
   * a single process.
   */
  confirmHeld(): Promise<void>;
}

/**
 * What to do at start-up with an effect that was started (recorded) but never reported:
 * `rerun` for idempotent effects, or a function that looks the outcome up and returns the
 * event to record instead (a portal submission is never re-run blindly).
 */
export type InterruptedPolicy = 'rerun' | ((params: any, ctx: EffectContext) => Promise<EngineEvent>);

export interface EffectHandler {
  /** Returns the outcome event (tracked effects) or nothing (fire-and-forget). Throwing reports EFFECT_FAILED. */
  run(params: any, ctx: EffectContext): Promise<EngineEvent | void>;
  onInterrupted?: InterruptedPolicy;
}

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
