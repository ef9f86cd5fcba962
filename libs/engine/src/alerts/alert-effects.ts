// Effect handlers the alerter provides to the engine: the master session's `sendAlert`
// (critical, tracked: a failed delivery comes back as EFFECT_FAILED and the machine re-sends
// it later with the same alertId). Merge into the engine's effect registry.
import type { Clock, EffectRegistry, EngineEvent } from '@engine/core';
import type { Alerter } from '@engine/core';
import type { SendAlertParams } from '@engine/machines';

export function alertEffects(alerter: Alerter, clock: Clock): EffectRegistry {
  return {
    sendAlert: {
      async run(params: SendAlertParams, ctx): Promise<EngineEvent> {
        await alerter.send(
          { id: params.alertId, level: params.level, code: params.code, portal: params.portal, message: params.message, at: new Date(clock.now()).toISOString() },
          { signal: ctx.signal },
        );
        return { type: 'ALERT_SENT' };
      },
    },
  };
}
