// The effects a pooled session asks the host to run. The pool runtime (libs/engine/src/pool)
// implements them; params name the session by its key hash only.

/** Opens a browser session and logs it in. Answers SESSION_OPENED or OPEN_FAILED. */
export interface OpenSessionParams {
  key: string;
  portal: string;
}

/**
 * Navigates the session's page to keep the portal session alive. `expiredLeaseId` is set when
 * the refresh follows a lease that expired (its holder is presumed dead and must be stopped).
 * Answers REFRESHED or REFRESH_FAILED.
 */
export interface RefreshSessionParams {
  key: string;
  refresh: number;
  expiredLeaseId: string | null;
}

/** Closes the session's browser context (or browser). Closing one that is gone succeeds. Answers SESSION_CLOSED. */
export interface CloseSessionParams {
  key: string;
  reason: PooledSessionCloseReason;
}

export type PooledSessionCloseReason = 'expired' | 'evicted' | 'closed' | 'failed';

export interface PooledSessionEffectParams {
  openSession: OpenSessionParams;
  refreshSession: RefreshSessionParams;
  closeSession: CloseSessionParams;
}

export type PooledSessionEffect = keyof PooledSessionEffectParams;
