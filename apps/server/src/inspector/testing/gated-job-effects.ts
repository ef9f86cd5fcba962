// Fake job effect handlers for the inspector's browser test: each answers like the portal
// would, but only when the test releases it, so the test can watch every state change arrive
// live. The screenshot effect writes a real PNG where the artifact store would.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EffectRegistry, EngineEvent } from '@engine/core';
import type { FillStepParams, SubmitFormParams } from '@engine/machines';

/** A small grey gradient (48×32): a real PNG, so the page's <img> must decode it. */
export const FAILURE_PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAADAAAAAgCAAAAABxv6TAAAAASUlEQVR4nGNgYOXiF5GUU9bQNTK3cXTzDgiNik/JzCuuqG1q75k4bfaCpavWb9m57/CJs5eu33n47DXDqIZRDaMaRjWMahgJGgAV18EfPJGbfQAAAABJRU5ErkJggg==',
  'base64',
);

export interface GatedJobEffects {
  registry: EffectRegistry;
  /** Answers the oldest waiting effect; resolves once one was waiting. */
  release(): Promise<void>;
}

export function gatedJobEffects(artifactsDir: string, options: { gated: (jobId: string) => boolean; submit: (jobId: string) => 'ok' | 'error' }): GatedJobEffects {
  const waiting: Array<() => void> = [];
  const arrivals: Array<() => void> = [];
  const at = () => new Date().toISOString();
  const gate = (jobId: string) =>
    options.gated(jobId)
      ? new Promise<void>((resolve) => {
          waiting.push(resolve);
          arrivals.shift()?.();
        })
      : Promise.resolve();
  const answer = <P extends { jobId: string }>(fn: (params: P) => EngineEvent | Promise<EngineEvent>) => ({
    run: async (params: P) => {
      await gate(params.jobId);
      return fn(params);
    },
  });
  const registry: EffectRegistry = {
    cloneSession: answer(() => ({ type: 'CLONED', at: at() })),
    validateSession: answer(() => ({ type: 'SESSION_VALID', at: at() })),
    fillStep: answer((p: FillStepParams) => ({ type: 'STEP_FILLED', step: p.step, at: at() })),
    submitForm: answer((p: SubmitFormParams) =>
      options.submit(p.jobId) === 'ok' ? { type: 'SUBMITTED', reference: `REF-${p.jobId}`, at: at() } : { type: 'SUBMIT_FAILED', code: 'HTTP_502', artifactRef: null, at: at() },
    ),
    findSubmission: { run: async () => ({ type: 'SUBMISSION_NOT_FOUND', at: at() }) },
    captureArtifact: {
      run: async (p: { jobId: string; attempt: number }) => {
        const reference = `screenshot/art-${p.jobId}-${p.attempt}-submitting.png`;
        mkdirSync(join(artifactsDir, 'screenshot'), { recursive: true });
        writeFileSync(join(artifactsDir, reference), FAILURE_PNG);
        return { type: 'ARTIFACT_CAPTURED', artifactRef: reference, at: at() };
      },
    },
    reportSessionFailure: { run: async () => ({ type: 'SESSION_FAILURE_REPORTED', at: at() }) },
    closeClone: { run: async () => undefined },
  };
  return {
    registry,
    release: async () => {
      if (waiting.length === 0) await new Promise<void>((resolve) => arrivals.push(resolve));
      waiting.shift()?.();
    },
  };
}
