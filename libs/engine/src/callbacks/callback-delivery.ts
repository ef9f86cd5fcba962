// The callback machine's effect: one signed HTTP POST of the job's outcome. The body is the
// payload the machine holds (the same bytes on every attempt); the signature is
// HMAC-SHA256(secret, "<timestamp>.<body>") in `X-Engine-Signature: sha256=<hex>`, with the
// timestamp in `X-Engine-Timestamp` (seconds) so a receiver can refuse replays, and
// `X-Engine-Delivery: <jobId>:<attempt>` so it can drop a duplicate (delivery is at least once).
// A receiver that answers anything but 2xx, redirects, times out or cannot be reached is a
// recorded DELIVERY_FAILED, never a thrown error; the secret and the receiver's body never
// reach the event.
import { createHmac } from 'node:crypto';
import { canonicalJson, type Clock, type EffectHandlers, type SecretProvider } from '@engine/core';
import type { CallbackDefinition, CallbackEvent } from '@engine/machines';

export interface CallbackDeliveryOptions {
  clock: Clock;
  secrets: SecretProvider;
  /** Secret reference whose `password` is the signing key. */
  secretRef: string;
  /** Per attempt. Default 10 s. */
  timeoutMs?: number;
}

export const SIGNATURE_HEADER = 'x-engine-signature';
export const TIMESTAMP_HEADER = 'x-engine-timestamp';
export const DELIVERY_HEADER = 'x-engine-delivery';

/** `sha256=<hex>` over `<timestamp>.<body>`: what a receiver recomputes to check a delivery. */
export function callbackSignature(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

export function callbackEffects(options: CallbackDeliveryOptions): EffectHandlers<CallbackDefinition> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  return {
    deliverCallback: {
      async run(params, ctx): Promise<CallbackEvent> {
        const payload = ctx.state.context.payload;
        const started = options.clock.now();
        const done = (): { at: string; durationMs: number } => ({ at: new Date(options.clock.now()).toISOString(), durationMs: options.clock.now() - started });
        if (!payload) return { type: 'DELIVERY_FAILED', status: null, code: 'NO_PAYLOAD', message: 'the job outcome is not known yet', ...done() };
        const { password: secret } = await options.secrets.resolve(options.secretRef);
        // Canonical (sorted keys): the same bytes on every attempt, before and after a restart.
        const body = canonicalJson(payload);
        const timestamp = String(Math.floor(started / 1000));
        const timeout = AbortSignal.timeout(timeoutMs);
        try {
          const response = await fetch(params.url, {
            method: 'POST',
            redirect: 'manual',
            signal: AbortSignal.any([ctx.signal, timeout]),
            headers: {
              'content-type': 'application/json',
              'user-agent': 'portal-engine-callbacks/1',
              [SIGNATURE_HEADER]: callbackSignature(secret, timestamp, body),
              [TIMESTAMP_HEADER]: timestamp,
              [DELIVERY_HEADER]: `${params.jobId}:${params.attempt}`,
            },
            body,
          });
          // The receiver's body is not ours to keep: drain it, record the status only.
          await response.body?.cancel().catch(() => undefined);
          if (response.status >= 200 && response.status < 300) return { type: 'DELIVERED', status: response.status, ...done() };
          return { type: 'DELIVERY_FAILED', status: response.status, code: `HTTP_${response.status}`, message: `the receiver answered ${response.status}`, ...done() };
        } catch (error) {
          if (ctx.signal.aborted) throw error; // the engine stops: the attempt is made again after the restart
          const code = timeout.aborted ? 'TIMEOUT' : networkCode(error);
          const message = timeout.aborted ? `no answer within ${timeoutMs} ms` : `the receiver could not be reached (${code})`;
          return { type: 'DELIVERY_FAILED', status: null, code, message, ...done() };
        }
      },
    },
  };
}

/** ECONNREFUSED, ENOTFOUND, … from fetch's cause; never the URL or a message that may carry it. */
function networkCode(error: unknown): string {
  const cause = (error as { cause?: { code?: unknown } })?.cause;
  return typeof cause?.code === 'string' && /^[A-Z_]{2,40}$/.test(cause.code) ? cause.code : 'NETWORK_ERROR';
}

/**
 * Without a signing secret no callback is registered, but the log may hold some from a run that
 * had one: their attempts fail, recorded, until the secret is configured and they are resent.
 */
export function callbacksNotConfigured(clock: Clock): EffectHandlers<CallbackDefinition> {
  return {
    deliverCallback: {
      run: async (): Promise<CallbackEvent> => ({
        type: 'DELIVERY_FAILED',
        status: null,
        code: 'CALLBACKS_NOT_CONFIGURED',
        message: 'no signing secret is configured (callbacks.secretRef)',
        at: new Date(clock.now()).toISOString(),
        durationMs: 0,
      }),
    },
  };
}
