// Events of the session-lease machine: an external script's loan of a portal's logged-in
// session. Who, when, how long and how (devtools or cookies) only: never a cookie, a storage
// value or the DevTools endpoint — those are handed to the caller in the HTTP answer and kept in
// the runtime's memory, never in the log.

// ── Commands ────────────────────────────────────────────────────────────────────────────

/** The caller (or an operator) gives the lease back before it expires. */
export type LeaseReleaseRequested = { type: 'RELEASE'; by: string; at: string };

/**
 * What the lease handed out is gone without a release: the engine restarted (the leased browser
 * died with its process) or the leased browser crashed. The lease ends; a caller asks for a new one.
 */
export type LeaseLost = { type: 'LEASE_LOST'; reason: LeaseLostReason; at: string };

export type LeaseLostReason = 'engine_restarted' | 'browser_crashed';

// ── Effect outcomes ─────────────────────────────────────────────────────────────────────

/** The isolated browser runs with a copy of the session (devtools), or the cookies were read (cookies). */
export type LeaseOpened = { type: 'LEASE_OPENED'; at: string };

/** Whatever the lease opened is closed. */
export type LeaseClosed = { type: 'LEASE_CLOSED'; at: string };

/** Reported by the host when an effect handler threw instead of answering (code and message carry no secret). */
export type LeaseEffectFailed = {
  type: 'EFFECT_FAILED';
  effect: string;
  effectId: string;
  params: unknown;
  error: { code: string; message: string };
};

// ── Durable timer ───────────────────────────────────────────────────────────────────────

export type LeaseExpired = { type: 'TIMER.expiry' };

export type SessionLeaseCommand = LeaseReleaseRequested | LeaseLost;

export type SessionLeaseEvent = SessionLeaseCommand | LeaseOpened | LeaseClosed | LeaseEffectFailed | LeaseExpired;
