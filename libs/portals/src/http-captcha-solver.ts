// A CaptchaSolver backed by a captcha-solving service with the common submit-then-poll API:
// `POST <url>/in.php` (key, method=base64, body, json=1) answers `{ status: 1, request: <id> }`,
// then `GET <url>/res.php?key&action=get&id&json=1` answers `CAPCHA_NOT_READY` until
// `{ status: 1, request: <answer> }`. The API key is a secret reference resolved at each solve
// (rotation needs no restart); it never reaches an error, a log or a metric. Every failure is a
// CaptchaUnsolvableError (or the run's TimeoutError / AbortedError), so a chain moves on.
import { setTimeout as delay } from 'node:timers/promises';
import type { SecretProvider } from '@engine/core';
import { runOperation, type OperationOptions, type OperationScope } from '@engine/browser';
import type { CaptchaChallenge, CaptchaSolver } from '@portal-engine/adapter-kit';
import { CaptchaUnsolvableError } from './errors';

export interface HttpCaptchaSolverOptions {
  /** The service's base URL; `in.php` and `res.php` are resolved below it. */
  url: string;
  /** Secret reference whose `password` is the API key. */
  keyRef: string;
  secrets: SecretProvider;
  /** Wait before each poll for the answer (services ask for a few seconds). Default 5000. */
  pollIntervalMs?: number;
  /** The most one solve may take, submit and polls together. Default 120000. */
  timeoutMs?: number;
}

interface ServiceAnswer {
  status: number;
  request: string;
}

export class HttpCaptchaSolver implements CaptchaSolver {
  private readonly base: URL;
  private readonly pollIntervalMs: number;
  readonly timeoutMs: number;

  constructor(private readonly options: HttpCaptchaSolverOptions) {
    // A base without a trailing slash would lose its last path segment to `in.php`.
    this.base = new URL(options.url.endsWith('/') ? options.url : `${options.url}/`);
    this.pollIntervalMs = options.pollIntervalMs ?? 5_000;
    this.timeoutMs = options.timeoutMs ?? 120_000;
  }

  solve(challenge: CaptchaChallenge, options: OperationOptions): Promise<string> {
    const timeoutMs = Math.min(this.timeoutMs, options.timeoutMs);
    return runOperation('solve captcha (http)', { signal: options.signal, timeoutMs }, async (scope) => {
      const { password: key } = await this.options.secrets.resolve(this.options.keyRef);
      const fail = (reason: string) => new CaptchaUnsolvableError(challenge.portal, `captcha service: ${reason}`);
      const submitted = await this.call(
        new URL('in.php', this.base),
        { method: 'POST', body: new URLSearchParams({ key, method: 'base64', body: challenge.image.toString('base64'), json: '1' }) },
        scope,
        key,
        fail,
      );
      if (submitted.status !== 1) throw fail(`submit refused (${serviceCode(submitted.request, key)})`);
      const poll = new URL('res.php', this.base);
      poll.search = new URLSearchParams({ key, action: 'get', id: submitted.request, json: '1' }).toString();
      for (;;) {
        await delay(this.pollIntervalMs, undefined, { signal: scope.signal });
        const result = await this.call(poll, { method: 'GET' }, scope, key, fail);
        if (result.status === 1) {
          if (result.request === '') throw fail('empty answer');
          return result.request;
        }
        if (result.request !== 'CAPCHA_NOT_READY') throw fail(`no answer (${serviceCode(result.request, key)})`);
      }
    });
  }

  /** One request to the service, its JSON answer checked for shape. Nothing of the request (its URL holds the key) goes into an error. */
  private async call(url: URL, init: RequestInit, scope: OperationScope, key: string, fail: (reason: string) => Error): Promise<ServiceAnswer> {
    let response: Response;
    try {
      response = await fetch(url, { ...init, signal: scope.signal });
    } catch (error) {
      if (scope.signal.aborted) throw error;
      // The cause's own code only (ECONNREFUSED, …): fetch's errors may carry the request.
      const code = (error as { cause?: { code?: unknown } }).cause?.code;
      throw fail(`unreachable${typeof code === 'string' && /^[A-Z0-9_]{1,40}$/.test(code) ? ` (${code})` : ''}`);
    }
    if (!response.ok) {
      await response.body?.cancel().catch(() => undefined);
      throw fail(`HTTP ${response.status}`);
    }
    let answer: Partial<ServiceAnswer>;
    try {
      answer = (await response.json()) as Partial<ServiceAnswer>;
    } catch {
      throw fail('answer is not JSON');
    }
    if (typeof answer?.status !== 'number' || typeof answer.request !== 'string') throw fail('answer is not { status, request }');
    return answer as ServiceAnswer;
  }
}

/** A service's error code (ERROR_ZERO_BALANCE, …) as it may be shown; anything else, or anything holding the key, is not repeated. */
function serviceCode(request: string, key: string): string {
  return /^[A-Z0-9_]{1,64}$/.test(request) && !(key && request.includes(key)) ? request : 'unrecognised reply';
}
