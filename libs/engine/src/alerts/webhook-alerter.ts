// Alerter adapter: POSTs each alert to a webhook, as the alert's JSON (`json`) or as a
// Slack-compatible incoming-webhook message (`slack`: text + blocks). With the server's public
// URL, both carry a link to the inspector page of the alert's portal. Every delivery has a
// deadline and honours the caller's AbortSignal; anything but a 2xx answer is an error. The URL is
// configuration and may carry secrets (basic-auth credentials, a token in the path), so errors
// and `target` name its origin only, and userinfo travels as an Authorization header instead
// (fetch refuses URLs with credentials anyway).
import { AbortedError, TimeoutError, type Alert, type Alerter, type AlertSendOptions } from '@engine/core';
import { AlertDeliveryError } from './alert-delivery-error';
import { inspectorLink } from './inspector-link';
import { slackMessage } from './slack-message';

export type WebhookFormat = 'json' | 'slack';
export const WEBHOOK_FORMATS: readonly WebhookFormat[] = ['json', 'slack'];

export interface WebhookAlerterConfig {
  url: string;
  /** Per delivery; default 5 000. */
  timeoutMs?: number;
  /** Extra headers (e.g. a bearer token); never logged. */
  headers?: Record<string, string>;
  /** Body shape; default `json`. */
  format?: WebhookFormat;
  /** The server's public base URL (no credentials): alerts link to its inspector. Unset: no link. */
  publicUrl?: string;
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
  private readonly format: WebhookFormat;
  private readonly publicUrl: string | undefined;

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
    this.format = config.format ?? 'json';
    if (!WEBHOOK_FORMATS.includes(this.format)) throw new RangeError(`webhook format must be ${WEBHOOK_FORMATS.join(' or ')}`);
    this.publicUrl = config.publicUrl;
  }

  /** What is posted for an alert. */
  private body(alert: Alert): unknown {
    const link = this.publicUrl === undefined ? undefined : inspectorLink(this.publicUrl, alert);
    if (this.format === 'slack') return slackMessage(alert, link);
    return link === undefined ? alert : { ...alert, link };
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
          body: JSON.stringify(this.body(alert)),
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
