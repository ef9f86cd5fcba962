// The solver chain: stages in order, a failing stage hands over to the next, the last failure
// is reported when all fail, the caller's abort or deadline stops it at once; each stage's
// outcome (and cost when it answered) goes to the observer; a chain ending with the operator
// says so, with the time its automatic stages may take first.
import { AbortedError, SequentialIdGenerator, SimulatedClock, TimeoutError, ValidationError } from '@engine/core';
import type { CaptchaSolver, OperationOptions } from '@portal-engine/adapter-kit';
import { automaticSolveMs, CaptchaSolverChain, manualStageOf, type CaptchaSolveReport } from './captcha-solver-chain';
import { CaptchaUnsolvableError } from './errors';
import { ManualCaptchaSolver } from './manual-captcha-solver';

const challenge = { image: Buffer.from('png'), portal: 'portal-sim', captchaId: 'c-1' };

/** A stage that records its calls and answers as told: text, an error, or never (until its signal fires). */
function stage(behaviour: string | Error | 'never') {
  const calls: OperationOptions[] = [];
  const solver: CaptchaSolver = {
    solve: (_challenge, options) => {
      calls.push(options);
      if (behaviour instanceof Error) return Promise.reject(behaviour);
      if (behaviour !== 'never') return Promise.resolve(behaviour);
      return new Promise((_, reject) => options.signal?.addEventListener('abort', () => reject(new AbortedError('stage')), { once: true }));
    },
  };
  return { solver, calls };
}

describe('CaptchaSolverChain', () => {
  let reports: CaptchaSolveReport[];
  const observe = (report: CaptchaSolveReport) => void reports.push(report);

  beforeEach(() => {
    reports = [];
  });

  it('answers with the first stage that solves it; later stages are not asked', async () => {
    const first = stage('ABCDE');
    const second = stage('ZZZZZ');
    const chain = new CaptchaSolverChain([{ name: 'http', solver: first.solver, costPerSolve: 0.002 }, { name: 'backup', solver: second.solver }], observe);
    await expect(chain.solve(challenge, { timeoutMs: 10_000 })).resolves.toBe('ABCDE');
    expect(second.calls).toHaveLength(0);
    expect(reports).toEqual([{ portal: 'portal-sim', solver: 'http', outcome: 'solved', cost: 0.002 }]);
  });

  it('hands the challenge to the next stage when one fails, is unsolvable or runs out of its own time', async () => {
    const down = stage(new Error('socket hang up'));
    const unsolvable = stage(new CaptchaUnsolvableError('portal-sim', 'captcha service: no answer (ERROR_CAPTCHA_UNSOLVABLE)'));
    const slow = stage('never');
    const last = stage('LAST1');
    const chain = new CaptchaSolverChain(
      [
        { name: 'a', solver: down.solver, costPerSolve: 1 },
        { name: 'b', solver: unsolvable.solver },
        { name: 'c', solver: slow.solver, timeoutMs: 30 },
        { name: 'd', solver: last.solver, costPerSolve: 0.5 },
      ],
      observe,
    );
    await expect(chain.solve(challenge, { timeoutMs: 10_000 })).resolves.toBe('LAST1');
    expect(reports.map((r) => [r.solver, r.outcome, r.cost])).toEqual([
      ['a', 'error', 0],
      ['b', 'unsolvable', 0],
      ['c', 'timeout', 0],
      ['d', 'solved', 0.5],
    ]);
    // A stage gets its own timeout, or what the chain's deadline leaves, whichever is shorter.
    expect(slow.calls[0].timeoutMs).toBe(30);
    expect(last.calls[0].timeoutMs).toBeGreaterThan(30);
    expect(last.calls[0].timeoutMs).toBeLessThanOrEqual(10_000);
  });

  it('reports the last failure when every stage fails', async () => {
    const refusal = new CaptchaUnsolvableError('portal-sim', 'last');
    const chain = new CaptchaSolverChain([{ name: 'a', solver: stage(new CaptchaUnsolvableError('portal-sim', 'first')).solver }, { name: 'b', solver: stage(refusal).solver }], observe);
    await expect(chain.solve(challenge, { timeoutMs: 10_000 })).rejects.toBe(refusal);
    expect(reports.map((r) => r.outcome)).toEqual(['unsolvable', 'unsolvable']);
  });

  it('stops at once when the caller aborts: the running stage is aborted, later stages are not asked', async () => {
    const first = stage('never');
    const second = stage('NEVER');
    const chain = new CaptchaSolverChain([{ name: 'http', solver: first.solver }, { name: 'backup', solver: second.solver }], observe);
    const controller = new AbortController();
    const solving = chain.solve(challenge, { timeoutMs: 10_000, signal: controller.signal });
    controller.abort();
    await expect(solving).rejects.toBeInstanceOf(AbortedError);
    expect(first.calls[0].signal?.aborted).toBe(true);
    expect(second.calls).toHaveLength(0);
    expect(reports).toEqual([{ portal: 'portal-sim', solver: 'http', outcome: 'aborted', cost: 0 }]);
  });

  it('stops at the caller\'s deadline, even inside a stage without a timeout of its own', async () => {
    const first = stage('never');
    const second = stage('NEVER');
    const chain = new CaptchaSolverChain([{ name: 'http', solver: first.solver }, { name: 'backup', solver: second.solver }], observe);
    await expect(chain.solve(challenge, { timeoutMs: 30 })).rejects.toBeInstanceOf(TimeoutError);
    expect(second.calls).toHaveLength(0);
    expect(reports).toEqual([{ portal: 'portal-sim', solver: 'http', outcome: 'timeout', cost: 0 }]);
  });

  it('reaches the operator only after the automatic stages failed', async () => {
    const manual = new ManualCaptchaSolver(new SequentialIdGenerator(), new SimulatedClock(1000));
    const chain = new CaptchaSolverChain([{ name: 'http', solver: stage(new CaptchaUnsolvableError('portal-sim', 'down')).solver, timeoutMs: 120_000 }, { name: 'manual', solver: manual }], observe);
    const asked = new Promise<string>((resolve) => manual.onPending((pending) => resolve(pending.id)));
    const solving = chain.solve(challenge, { timeoutMs: 10_000 });
    manual.answer(await asked, 'BY-HAND');
    await expect(solving).resolves.toBe('BY-HAND');
    expect(reports.map((r) => [r.solver, r.outcome])).toEqual([
      ['http', 'unsolvable'],
      ['manual', 'solved'],
    ]);
  });

  it('a counting observer that throws does not cost the login its answer', async () => {
    const chain = new CaptchaSolverChain([{ name: 'http', solver: stage('ABCDE').solver }], () => {
      throw new Error('metrics down');
    });
    await expect(chain.solve(challenge, { timeoutMs: 10_000 })).resolves.toBe('ABCDE');
  });

  it('says whether it ends at a person, and how long its automatic stages may take before', () => {
    const manual = new ManualCaptchaSolver();
    const http = stage('x').solver;
    const chain = new CaptchaSolverChain([{ name: 'http', solver: http, timeoutMs: 120_000 }, { name: 'sim', solver: stage('y').solver, timeoutMs: 5_000 }, { name: 'manual', solver: manual }]);
    expect(manualStageOf(chain)).toBe(manual);
    expect(automaticSolveMs(chain)).toBe(125_000);
    expect(manualStageOf(manual)).toBe(manual);
    expect(automaticSolveMs(manual)).toBe(0);
    expect(manualStageOf(http)).toBeUndefined();
    const automatic = new CaptchaSolverChain([{ name: 'http', solver: http, timeoutMs: 60_000 }]);
    expect(manualStageOf(automatic)).toBeUndefined();
    expect(automaticSolveMs(automatic)).toBe(60_000);
  });

  it('refuses a chain that cannot work: empty, a person before an automatic stage, two stages of one name', () => {
    const manual = new ManualCaptchaSolver();
    expect(() => new CaptchaSolverChain([])).toThrow(ValidationError);
    expect(() => new CaptchaSolverChain([{ name: 'manual', solver: manual }, { name: 'http', solver: stage('x').solver }])).toThrow(ValidationError);
    expect(() => new CaptchaSolverChain([{ name: 'http', solver: stage('x').solver }, { name: 'http', solver: stage('y').solver }])).toThrow(ValidationError);
  });
});
