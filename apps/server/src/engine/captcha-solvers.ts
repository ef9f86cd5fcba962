// Each portal's captcha solver from its `captcha` setting: the simulator's test hook, or a chain
// of stages (captcha-solving services by HTTP, the simulator's hook, the operator) whose outcomes
// and costs go to the observer (the server's metrics). Portals without a solver here use the
// engine's manual one; a chain's `manual` stage is that same solver, so the API answers it.
import type { SecretProvider } from '@engine/core';
import { CaptchaSolverChain, HttpCaptchaSolver, PortalSimCaptchaSolver, type CaptchaSolveObserver, type CaptchaSolver, type CaptchaSolverStage, type ManualCaptchaSolver } from '@engine/portals';
import { captchaStageName, type CaptchaStageConfig } from '../captcha-config';
import type { PortalConfig } from '../config';

export interface CaptchaSolverDeps {
  /** The engine's operator solver (engine.manualCaptcha). */
  manual: ManualCaptchaSolver;
  /** Resolves each HTTP stage's keyRef at solve time. */
  secrets: SecretProvider;
  observe: CaptchaSolveObserver;
}

/** The solver of every portal (by adapter id) whose setting is not the default `manual`. */
export function buildCaptchaSolvers(portals: ReadonlyArray<{ id: string; config: PortalConfig }>, deps: CaptchaSolverDeps): Map<string, CaptchaSolver> {
  const solvers = new Map<string, CaptchaSolver>();
  for (const { id, config } of portals) {
    const baseUrl = String(config.options?.baseUrl);
    if (config.captcha === 'portal-sim') solvers.set(id, new PortalSimCaptchaSolver(baseUrl));
    else if (Array.isArray(config.captcha)) solvers.set(id, new CaptchaSolverChain(config.captcha.map((stage) => solverStage(stage, baseUrl, deps)), deps.observe));
  }
  return solvers;
}

function solverStage(stage: CaptchaStageConfig, baseUrl: string, deps: CaptchaSolverDeps): CaptchaSolverStage {
  const name = captchaStageName(stage);
  if (stage === 'manual') return { name, solver: deps.manual };
  if (stage === 'portal-sim') return { name, solver: new PortalSimCaptchaSolver(baseUrl) };
  const { url, keyRef, pollIntervalMs, timeoutMs, costPerSolve } = stage.http;
  return { name, solver: new HttpCaptchaSolver({ url, keyRef, secrets: deps.secrets, pollIntervalMs, timeoutMs }), timeoutMs, costPerSolve };
}
