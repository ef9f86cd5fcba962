// Puts effects that depend on a browser session under the health monitor: while the session
// is dead they wait (with the reason) instead of failing one by one, and when it dies under
// them they are aborted and counted as cancelled by that one root cause.
import type { EventObject } from 'xstate';
import type { ActorState, EffectHandler } from '@engine/core';
import type { HealthMonitor } from './health-monitor';
import type { OperationBatch } from './operation-batch';

export interface GuardOptions<TState extends ActorState> {
  monitor: HealthMonitor;
  /** The batch the operations are recorded in (its summary names the root cause). */
  batch: () => OperationBatch;
  /** The session an effect run depends on, or null when it depends on none. */
  sessionOf: (effect: string, state: TState) => string | null;
}

/** `registry` with the handlers named in `effects` run under the health monitor; the others as they are. */
export function guardEffects<TRegistry extends Record<string, EffectHandler<never, TState, EventObject>>, TState extends ActorState>(
  registry: TRegistry,
  effects: readonly (keyof TRegistry & string)[],
  options: GuardOptions<TState>,
): TRegistry {
  const guarded = { ...registry };
  for (const name of effects) {
    const handler = registry[name];
    guarded[name] = {
      ...handler,
      run: (params: never, ctx) => {
        const sessionId = options.sessionOf(name, ctx.state);
        // A session the monitor has never seen (no browser launched yet): nothing to wait for.
        if (!sessionId || !options.monitor.watches(sessionId)) return handler.run(params, ctx);
        return options.batch().run(sessionId, name, (signal) => handler.run(params, { ...ctx, signal: AbortSignal.any([ctx.signal, signal]) }), {
          signal: ctx.signal,
        });
      },
    };
  }
  return guarded;
}
