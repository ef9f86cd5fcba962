// Test doubles for the session pool: a session factory whose sessions count their refreshes
// and closes, and whose open/refresh outcomes the test scripts.
import { EngineError } from '@engine/core';
import type { PoolCredentials } from './pool-key';
import type { PoolSessionFactory, PoolSessionHandle, RefreshVerdict } from './pool-session-factory';

export interface FakeSession {
  id: number;
  username: string;
  refreshes: number;
  closed: boolean;
}

export class FakeSessions implements PoolSessionFactory<FakeSession> {
  readonly sessions: FakeSession[] = [];
  /** Next refresh verdicts, in order; `ok` when empty. */
  refreshVerdicts: RefreshVerdict[] = [];
  /** Fail the next n opens with LOGIN_REFUSED. */
  failOpens = 0;

  async open(credentials: PoolCredentials): Promise<PoolSessionHandle<FakeSession>> {
    if (this.failOpens > 0) {
      this.failOpens -= 1;
      throw new EngineError('LOGIN_REFUSED', 'portal refused the login');
    }
    const session: FakeSession = { id: this.sessions.length + 1, username: credentials.username, refreshes: 0, closed: false };
    this.sessions.push(session);
    return {
      session,
      refresh: async () => {
        session.refreshes += 1;
        return this.refreshVerdicts.shift() ?? { ok: true };
      },
      close: async () => {
        session.closed = true;
      },
    };
  }

  opened(username?: string): number {
    return this.sessions.filter((s) => username === undefined || s.username === username).length;
  }
}
