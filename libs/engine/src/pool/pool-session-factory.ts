// The port through which the pool opens real sessions: the browser adapter in production, fakes
// in unit tests. A handle owns what it opened; `close` releases exactly that.
import type { PoolCredentials } from './pool-key';

export type RefreshVerdict = { ok: true } | { ok: false; reason: string };

export interface PoolSessionHandle<S> {
  /** What a holder works with (e.g. a logged-in page). */
  readonly session: S;
  /** Navigates to keep the portal session alive; `ok: false` when the portal has ended it. */
  refresh(signal: AbortSignal): Promise<RefreshVerdict>;
  close(): Promise<void>;
}

export interface PoolSessionFactory<S> {
  /** Opens and logs in a session; the credentials are used here and nowhere else. */
  open(credentials: PoolCredentials, signal: AbortSignal): Promise<PoolSessionHandle<S>>;
}
