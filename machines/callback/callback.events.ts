// Events of the callback machine: one job's completion callback. The job's end is handed over
// as a command (JOB_FINISHED, with the body to deliver); each delivery attempt's outcome is a
// recorded fact; an operator may send an undelivered callback again. Never a secret: the body
// holds the job's public outcome, the signature is computed at delivery time.

/** What the receiver gets (the HTTP body, as JSON). */
export type CallbackPayload = {
  event: 'job.finished';
  jobId: string;
  portal: string;
  externalId: string | null;
  /** The job's final state: submitted, failed, failed_post_submission, needs_review, cancelled. */
  state: string;
  reference: string | null;
  failure: { kind: string; code: string; message: string } | null;
  /** Links to the job's failure evidence (screenshots, page captures), when any. */
  artifacts: string[];
  finishedAt: string;
};

// ── Commands ────────────────────────────────────────────────────────────────────────────

/** The job reached a final state: deliver `payload`. Accepted once. */
export type JobFinished = { type: 'JOB_FINISHED'; payload: CallbackPayload; at: string };

/** An operator sends an undelivered (or still retrying) callback again, at once. */
export type ResendRequested = { type: 'RESEND'; by: string; at: string };

// ── Effect outcomes ─────────────────────────────────────────────────────────────────────

/** The receiver answered 2xx. */
export type CallbackDelivered = { type: 'DELIVERED'; status: number; at: string; durationMs: number };

/** The receiver answered otherwise, or could not be reached (`status` null). */
export type CallbackDeliveryFailed = { type: 'DELIVERY_FAILED'; status: number | null; code: string; message: string; at: string; durationMs: number };

/** Reported by the host when the delivery effect threw instead of answering. */
export type CallbackEffectFailed = {
  type: 'EFFECT_FAILED';
  effect: string;
  effectId: string;
  params: unknown;
  error: { code: string; message: string };
};

export type CallbackTimerFired = { type: 'TIMER.retry' };

export type CallbackEvent = JobFinished | ResendRequested | CallbackDelivered | CallbackDeliveryFailed | CallbackEffectFailed | CallbackTimerFired;
