import { AbortedError, TimeoutError } from './errors';
import { runOperation } from './operation';

const never = () => new Promise<never>(() => undefined);

describe('runOperation', () => {
  it('returns the result and runs no cleanup on success', async () => {
    const cleanup = jest.fn();
    const result = await runOperation('op', { timeoutMs: 1000 }, async (scope) => {
      scope.onFailure(cleanup);
      return 42;
    });
    expect(result).toBe(42);
    expect(cleanup).not.toHaveBeenCalled();
  });

  it('rejects with TimeoutError at the deadline and closes what was opened, newest first', async () => {
    const closed: string[] = [];
    const run = runOperation('open things', { timeoutMs: 20 }, async (scope) => {
      scope.onFailure(() => closed.push('context'));
      scope.onFailure(() => closed.push('page'));
      return never();
    });
    await expect(run).rejects.toBeInstanceOf(TimeoutError);
    expect(closed).toEqual(['page', 'context']);
  });

  it('rejects with AbortedError when the caller aborts, and aborts the scope signal', async () => {
    const controller = new AbortController();
    let inner: AbortSignal | undefined;
    const run = runOperation('navigate', { timeoutMs: 10_000, signal: controller.signal }, async (scope) => {
      inner = scope.signal;
      return never();
    });
    controller.abort();
    await expect(run).rejects.toBeInstanceOf(AbortedError);
    expect(inner?.aborted).toBe(true);
  });

  it('refuses to start when the signal is already aborted', async () => {
    const body = jest.fn();
    await expect(runOperation('late', { timeoutMs: 1000, signal: AbortSignal.abort() }, body)).rejects.toBeInstanceOf(AbortedError);
    expect(body).not.toHaveBeenCalled();
  });

  it('closes at once what the body opens after it was aborted', async () => {
    const controller = new AbortController();
    let release: () => void = () => undefined;
    const late = jest.fn();
    const run = runOperation('slow launch', { timeoutMs: 10_000, signal: controller.signal }, async (scope) => {
      await new Promise<void>((resolve) => (release = resolve));
      scope.onFailure(late);
      return 'opened';
    });
    controller.abort();
    await expect(run).rejects.toBeInstanceOf(AbortedError);
    release();
    await new Promise((resolve) => setImmediate(resolve));
    expect(late).toHaveBeenCalledTimes(1);
  });

  it('passes body errors through after cleaning up', async () => {
    const cleanup = jest.fn();
    const boom = new Error('boom');
    const run = runOperation('op', { timeoutMs: 1000 }, async (scope) => {
      scope.onFailure(cleanup);
      throw boom;
    });
    await expect(run).rejects.toBe(boom);
    expect(cleanup).toHaveBeenCalledTimes(1);
  });
});
