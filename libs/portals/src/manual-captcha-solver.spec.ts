import { AbortedError, NotFoundError, SequentialIdGenerator, SimulatedClock, TimeoutError } from '@engine/core';
import { ManualCaptchaSolver, type PendingCaptcha } from './manual-captcha-solver';

const challenge = { image: Buffer.from('png'), portal: 'portal-sim', captchaId: 'c-1' };

describe('ManualCaptchaSolver', () => {
  let solver: ManualCaptchaSolver;

  beforeEach(() => {
    solver = new ManualCaptchaSolver(new SequentialIdGenerator(), new SimulatedClock(1000));
  });

  it('holds the challenge as pending until an operator answers it', async () => {
    const heard: PendingCaptcha[] = [];
    solver.onPending((pending) => heard.push(pending));
    const answer = solver.solve(challenge, { timeoutMs: 10_000 });
    expect(solver.pending()).toEqual([{ ...challenge, id: 'captcha_000001', createdAt: 1000 }]);
    expect(heard.map((p) => p.id)).toEqual(['captcha_000001']);
    solver.answer('captcha_000001', 'X7Q2');
    await expect(answer).resolves.toBe('X7Q2');
    expect(solver.pending()).toEqual([]);
  });

  it('rejects an answer to an unknown or already answered challenge', async () => {
    const answer = solver.solve(challenge, { timeoutMs: 10_000 });
    solver.answer('captcha_000001', 'A');
    await answer;
    expect(() => solver.answer('captcha_000001', 'B')).toThrow(NotFoundError);
  });

  it('stops waiting and forgets the challenge when aborted', async () => {
    const controller = new AbortController();
    const answer = solver.solve(challenge, { timeoutMs: 10_000, signal: controller.signal });
    controller.abort();
    await expect(answer).rejects.toBeInstanceOf(AbortedError);
    expect(solver.pending()).toEqual([]);
  });

  it('gives up after its timeout', async () => {
    await expect(solver.solve(challenge, { timeoutMs: 20 })).rejects.toBeInstanceOf(TimeoutError);
    expect(solver.pending()).toEqual([]);
  });
});
