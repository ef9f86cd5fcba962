// Every browser operation runs under a deadline and an optional caller AbortSignal. An operation
// registers what it opens; if it fails, times out or is aborted, those resources are closed
// before the promise rejects, so "abort closes what it opened" holds by construction.
import { AbortedError, TimeoutError } from './errors';

export interface OperationOptions {
  signal?: AbortSignal;
  timeoutMs: number;
}

export interface OperationScope {
  /** Fires on caller abort or on the deadline. Pass it to puppeteer waits that accept one. */
  readonly signal: AbortSignal;
  /** Milliseconds left before the deadline (never below 1, puppeteer treats 0 as "no timeout"). */
  remainingMs(): number;
  /** Registers a cleanup that runs only if the operation does not succeed. */
  onFailure(cleanup: () => Promise<unknown> | unknown): void;
  /** Rejects as soon as the operation is aborted or times out, whatever `work` is doing. */
  race<T>(work: Promise<T>): Promise<T>;
}

export async function runOperation<T>(
  name: string,
  options: OperationOptions,
  body: (scope: OperationScope) => Promise<T>,
): Promise<T> {
  const { signal: callerSignal, timeoutMs } = options;
  if (callerSignal?.aborted) throw new AbortedError(name, callerSignal.reason);

  const controller = new AbortController();
  const deadline = Date.now() + timeoutMs;
  let failure: Error | undefined;
  const stop = (error: Error) => {
    if (failure) return;
    failure = error;
    controller.abort(error);
  };
  const timer = setTimeout(() => stop(new TimeoutError(name, timeoutMs)), timeoutMs);
  const onCallerAbort = () => stop(new AbortedError(name, callerSignal?.reason));
  callerSignal?.addEventListener('abort', onCallerAbort, { once: true });

  const stopped = new Promise<never>((_, reject) => {
    controller.signal.addEventListener('abort', () => reject(failure), { once: true });
  });
  stopped.catch(() => undefined);
  const cleanups: Array<() => Promise<unknown> | unknown> = [];
  let failed = false;
  const scope: OperationScope = {
    signal: controller.signal,
    remainingMs: () => Math.max(1, deadline - Date.now()),
    onFailure: (cleanup) => {
      // The body keeps running after an abort; whatever it opens late is closed at once.
      if (failed) void Promise.resolve().then(cleanup).catch(() => undefined);
      else cleanups.push(cleanup);
    },
    race: (work) => {
      work.catch(() => undefined);
      return Promise.race([work, stopped]);
    },
  };

  try {
    return await scope.race(body(scope));
  } catch (error) {
    failed = true;
    // Cleanups run newest first: a page before its context, a context before its browser.
    for (const cleanup of cleanups.reverse()) {
      try {
        await cleanup();
      } catch {
        // A cleanup failing must not hide why the operation failed.
      }
    }
    throw failure ?? error;
  } finally {
    clearTimeout(timer);
    callerSignal?.removeEventListener('abort', onCallerAbort);
    if (!controller.signal.aborted) controller.abort();
  }
}
