// A portal's captcha solvers in order of preference (an external service, then the operator):
// each stage gets the challenge in turn, a stage that fails (unsolvable, its own timeout, the
// service down) hands it to the next, and the last failure is reported when all fail. The
// caller's abort or deadline stops the chain at once. Each stage's outcome goes to an observer
// (the server's metrics); it never carries the answer.
import { TimeoutError, ValidationError, errorCode } from '@engine/core';
import { runOperation, type OperationOptions } from '@engine/browser';
import type { CaptchaChallenge, CaptchaSolver } from '@portal-engine/adapter-kit';
import { ManualCaptchaSolver } from './manual-captcha-solver';

export interface CaptchaSolverStage {
  /** Names the stage in metrics: `http`, `manual`, `portal-sim`. Unique within a chain. */
  name: string;
  solver: CaptchaSolver;
  /** The most this stage may take before the next one gets the challenge; unset: what the caller's deadline leaves. */
  timeoutMs?: number;
  /** What one answer from this stage costs, in the units its service bills in (0: free). */
  costPerSolve?: number;
}

/** A bounded set, fit for a metrics label: the error's code decides, never its message. */
export type CaptchaStageOutcome = 'solved' | 'unsolvable' | 'timeout' | 'aborted' | 'error';

export interface CaptchaSolveReport {
  portal: string;
  solver: string;
  outcome: CaptchaStageOutcome;
  /** The stage's cost per solve when it answered, else 0. */
  cost: number;
}

export type CaptchaSolveObserver = (report: CaptchaSolveReport) => void;

export class CaptchaSolverChain implements CaptchaSolver {
  /** The operator's solver this chain ends with, if it does: the login must then be ready to wait for a person. */
  readonly manual: ManualCaptchaSolver | undefined;
  /** How long the stages before a person may take at most, together (stages without a timeout count 0). */
  readonly automaticMs: number;

  constructor(
    private readonly stages: readonly CaptchaSolverStage[],
    private readonly observe: CaptchaSolveObserver = () => undefined,
  ) {
    if (stages.length === 0) throw new ValidationError('a captcha solver chain needs at least one stage');
    const names = stages.map((stage) => stage.name);
    if (new Set(names).size !== names.length) throw new ValidationError(`captcha solver stages need distinct names: ${names.join(', ')}`);
    // A person is asked only when nothing automatic is left: an answer after the operator's would never be read.
    if (stages.slice(0, -1).some((stage) => stage.solver instanceof ManualCaptchaSolver)) throw new ValidationError('the manual captcha stage must be the last one');
    const last = stages[stages.length - 1].solver;
    this.manual = last instanceof ManualCaptchaSolver ? last : undefined;
    this.automaticMs = stages.filter((stage) => !(stage.solver instanceof ManualCaptchaSolver)).reduce((sum, stage) => sum + (stage.timeoutMs ?? 0), 0);
  }

  solve(challenge: CaptchaChallenge, options: OperationOptions): Promise<string> {
    return runOperation('solve captcha (chain)', options, async (scope) => {
      let lastError: unknown;
      for (const stage of this.stages) {
        try {
          // The stage's deadline is kept here too: a solver that ignores its timeout cannot hold up the next stage.
          const answer = await runOperation(`solve captcha (${stage.name})`, { signal: scope.signal, timeoutMs: Math.min(stage.timeoutMs ?? Infinity, scope.remainingMs()) }, (stageScope) =>
            stage.solver.solve(challenge, { signal: stageScope.signal, timeoutMs: stageScope.remainingMs() }),
          );
          this.report(challenge.portal, stage, 'solved');
          return answer;
        } catch (error) {
          // The chain's own deadline or the caller's abort ends every stage, not just this one. The
          // stage's timer may fire a moment before the chain's (both end at the same deadline): a
          // deadline that has passed stops the chain whichever timer noticed it first.
          const expired = !scope.signal.aborted && scope.remainingMs() <= 1;
          const stopped = scope.signal.aborted || expired;
          this.report(challenge.portal, stage, outcomeOf(scope.signal.aborted ? scope.signal.reason : error));
          if (expired) throw new TimeoutError('solve captcha (chain)', options.timeoutMs ?? 0);
          if (stopped) throw error;
          lastError = error;
        }
      }
      throw lastError;
    });
  }

  private report(portal: string, stage: CaptchaSolverStage, outcome: CaptchaStageOutcome): void {
    try {
      this.observe({ portal, solver: stage.name, outcome, cost: outcome === 'solved' ? (stage.costPerSolve ?? 0) : 0 });
    } catch {
      // Counting a solve must never cost the login its answer.
    }
  }
}

function outcomeOf(error: unknown): CaptchaStageOutcome {
  switch (errorCode(error)) {
    case 'CAPTCHA_UNSOLVABLE':
      return 'unsolvable';
    case 'TIMEOUT':
      return 'timeout';
    case 'ABORTED':
      return 'aborted';
    default:
      return 'error';
  }
}

/** The operator's solver a login may end up waiting on: the solver itself, or the manual stage a chain ends with. */
export function manualStageOf(solver: CaptchaSolver): ManualCaptchaSolver | undefined {
  if (solver instanceof ManualCaptchaSolver) return solver;
  return solver instanceof CaptchaSolverChain ? solver.manual : undefined;
}

/** The time a solver's automatic stages may take before it answers or asks a person (0 for a single solver). */
export function automaticSolveMs(solver: CaptchaSolver): number {
  return solver instanceof CaptchaSolverChain ? solver.automaticMs : 0;
}
