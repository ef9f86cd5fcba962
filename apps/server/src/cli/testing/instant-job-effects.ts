// Job effects that answer at once on the given clock, for CLI tests that need finished job
// streams in a store (to archive, back up, verify) and no browser: every job that starts is
// submitted with reference `REF-<jobId>`.
import type { EffectRegistry, SimulatedClock } from '@engine/core';

export function instantJobEffects(clock: SimulatedClock): EffectRegistry {
  const at = () => new Date(clock.now()).toISOString();
  return {
    cloneSession: { run: async () => ({ type: 'CLONED', at: at() }) },
    validateSession: { run: async () => ({ type: 'SESSION_VALID', at: at() }) },
    fillStep: { run: async (p: { step: string }) => ({ type: 'STEP_FILLED', step: p.step, at: at() }) },
    submitForm: { run: async (p: { jobId: string }) => ({ type: 'SUBMITTED', reference: `REF-${p.jobId}`, at: at() }) },
    closeClone: { run: async () => undefined },
  };
}
