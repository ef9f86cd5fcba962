// The master session's keep-alive probe under the health guard. A probe of a session the health
// monitor knows is dead is not run (nor left to time out on a dead page), and one whose session
// dies under it stops: either way it answers PROBE_FAILED with the death's own cause, so the
// recovery it starts (or joins, when the browser's loss got there first) names that one root
// cause, and the probe is counted under that death as cancelled instead of failing on its own.
import type { Clock, EffectHandler, StateOf } from '@engine/core';
import type { MasterSessionDefinition, MasterSessionEvent, ProbeSessionParams } from '@engine/machines';
import { OperationCancelledError } from './operation-cancelled-error';
import type { SessionOperations } from './session-operations';

/** The operation name a keep-alive probe is counted under. */
export const KEEP_ALIVE_OPERATION = 'keepAlive';

type ProbeHandler = EffectHandler<ProbeSessionParams, StateOf<MasterSessionDefinition>, MasterSessionEvent>;

/** `handlers` with `probeSession` run under the guard; the others as they are. */
export function guardKeepAlive<THandlers extends { probeSession: ProbeHandler }>(handlers: THandlers, operations: SessionOperations, clock: Clock): THandlers {
  const probe = handlers.probeSession;
  return {
    ...handlers,
    probeSession: {
      ...probe,
      run: (params, ctx) =>
        operations
          .run(ctx.stream, KEEP_ALIVE_OPERATION, (signal) => probe.run(params, { ...ctx, signal: AbortSignal.any([ctx.signal, signal]) }), { signal: ctx.signal, whenDead: 'cancel' })
          .catch((error: unknown): MasterSessionEvent => {
            if (!(error instanceof OperationCancelledError)) throw error;
            return { type: 'PROBE_FAILED', probe: params.probe, at: new Date(clock.now()).toISOString(), reason: error.rootCause.cause };
          }),
    } satisfies ProbeHandler,
  };
}
