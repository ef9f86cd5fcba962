// The effect of the callback machine, implemented in libs/engine/src/callbacks: one HTTP POST of
// the payload to the URL, signed (HMAC-SHA256) with the configured secret. Delivery is at least
// once: an attempt cut short by a crash is made again (the receiver deduplicates by the
// delivery id header), so the host's default interrupted-policy (`rerun`) is right.

/** Answers DELIVERED or DELIVERY_FAILED; throws only for a fault of its own. */
export interface DeliverCallbackParams {
  jobId: string;
  url: string;
  /** The attempt's number (1-based, across resends): part of the delivery id. */
  attempt: number;
}

export interface CallbackEffectParams {
  deliverCallback: DeliverCallbackParams;
}

export type CallbackEffect = keyof CallbackEffectParams;
