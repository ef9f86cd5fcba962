// Events of the pooled-session machine: lease commands from the pool runtime, the outcomes of
// its effects (open, refresh, close), and its durable timers. The session is named by the hash
// of its credentials only; no event ever carries a username, password or cookie.

// ── Commands ────────────────────────────────────────────────────────────────────────────

/** A holder took the session until `expiresAt`, when a durable timer frees it should the holder have died. */
export type SessionLeased = {
  type: 'LEASE';
  leaseId: string;
  /** ISO time of the lease (the runtime's Clock), for LRU and the audit trail. */
  at: string;
  /** ISO time the lease ends unless released before. */
  expiresAt: string;
};

/** The holder gave the session back. A release of any other lease than the current one is refused. */
export type SessionReleased = {
  type: 'RELEASE';
  leaseId: string;
  at: string;
};

/** The pool is full and this idle session was used least recently: close it. */
export type SessionEvicted = { type: 'EVICT' };

/** The pool shuts the session down (operator or pool close). */
export type SessionCloseRequested = { type: 'CLOSE' };

/** A closed, evicted or expired session is wanted again: open a fresh one under the same key. */
export type SessionReopenRequested = { type: 'REOPEN' };

// ── Effect outcomes ─────────────────────────────────────────────────────────────────────

export type SessionOpened = { type: 'SESSION_OPENED'; at: string };

/** The session could not be opened (login refused, browser would not start). `reason` is a code. */
export type SessionOpenFailed = { type: 'OPEN_FAILED'; reason: string };

export type SessionRefreshed = { type: 'REFRESHED'; at: string };

/** The refresh found the portal session gone (e.g. the login form): the session has expired. */
export type SessionRefreshFailed = { type: 'REFRESH_FAILED'; reason: string };

export type SessionClosed = { type: 'SESSION_CLOSED' };

/** Reported by the host when an effect handler threw instead of answering. */
export type PooledSessionEffectFailed = {
  type: 'EFFECT_FAILED';
  effect: string;
  effectId: string;
  params: unknown;
  error: { code: string; message: string };
};

// ── Durable timers ──────────────────────────────────────────────────────────────────────

export type PooledSessionTimerFired = { type: 'TIMER.refresh' } | { type: 'TIMER.leaseExpiry' };

export type PooledSessionCommand = SessionLeased | SessionReleased | SessionEvicted | SessionCloseRequested | SessionReopenRequested;

export type PooledSessionOutcome =
  | SessionOpened
  | SessionOpenFailed
  | SessionRefreshed
  | SessionRefreshFailed
  | SessionClosed
  | PooledSessionEffectFailed;

export type PooledSessionEvent = PooledSessionCommand | PooledSessionOutcome | PooledSessionTimerFired;
