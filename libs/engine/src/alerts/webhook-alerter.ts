// Alerter adapter: POSTs each alert as JSON to a webhook. Every delivery has a deadline and
// honours the caller's AbortSignal; anything but a 2xx answer is an error. The URL is
// configuration and may carry secrets (basic-auth credentials, a token in the path), so errors
// and `target` name its origin only, and userinfo travels as an Authorization header instead
// (fetch refuses URLs with credentials anyway).
import { AbortedError, TimeoutError, type Alert, type Alerter, type AlertSendOptions } from '@engine/core';
import { AlertDeliveryError } from './alert-delivery-error';

export interface WebhookAlerterConfig {
  url: string;
  /** Per delivery; default 5 000. */
  timeoutMs?: number;
  /** Extra headers (e.g. a bearer token); never logged. */
  headers?: Record<string, string>;
  /** For tests; defaults to the global fetch. */
  fetch?: typeof fetch;
}

export class WebhookAlerter implements Alerter {
  /** The webhook's origin: what logs and errors may show of it. */
  readonly target: string;
  private readonly endpoint: string;
  private readonly headers: Record<string, string>;
  private readonly timeoutMs: number;
  private readonly fetch: typeof fetch;

  constructor(config: WebhookAlerterConfig) {
    const url = new URL(config.url);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new RangeError('webhook URL must be http or https');
    this.headers = { 'content-type': 'application/json', ...config.headers };
    if (url.username || url.password) {
      const user = decodeURIComponent(url.username);
      const password = decodeURIComponent(url.password);
      this.headers.authorization = `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
      url.username = '';
      url.password = '';
    }
    this.endpoint = url.toString();
    this.target = url.origin;
    this.timeoutMs = config.timeoutMs ?? 5_000;
    this.fetch = config.fetch ?? fetch;
  }

  async send(alert: Alert, options: AlertSendOptions = {}): Promise<void> {
    const callerSignal = options.signal;
    if (callerSignal?.aborted) throw new AbortedError('send alert', callerSignal.reason);
    const controller = new AbortController();
    let stopped: Error | undefined;
    const stop = (error: Error) => {
      stopped ??= error;
      controller.abort(error);
    };
    const timer = setTimeout(() => stop(new TimeoutError(`send alert to ${this.target}`, this.timeoutMs)), this.timeoutMs);
    const onAbort = () => stop(new AbortedError('send alert', callerSignal?.reason));
    callerSignal?.addEventListener('abort', onAbort, { once: true });
    try {
      let response: Response;
      try {
        response = await this.fetch(this.endpoint, {
          method: 'POST',
          headers: this.headers,
          body: JSON.stringify(alert),
          // A redirect is not followed: it would carry the credentials to wherever it points.
          redirect: 'manual',
          signal: controller.signal,
        });
      } catch (error) {
        if (stopped) throw stopped;
        // The network error's text can quote the URL; keep its code only.
        throw new AlertDeliveryError(this.target, 'request failed', { cause: networkCode(error) });
      }
      // Drain the body so the connection can be reused or closed; its text is never read.
      await response.body?.cancel().catch(() => undefined);
      if (!response.ok) throw new AlertDeliveryError(this.target, `HTTP ${response.status}`, { status: response.status });
    } finally {
      clearTimeout(timer);
      callerSignal?.removeEventListener('abort', onAbort);
    }
  }
}

function networkCode(error: unknown): string {
  const cause = (error as { cause?: { code?: unknown } } | null)?.cause;
  return typeof cause?.code === 'string' ? cause.code : error instanceof Error ? error.name : 'UNKNOWN';
}
