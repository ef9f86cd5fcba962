// What the health monitor records per operation: where it stands and, for an operation halted
// or cancelled because its session died, the one root cause it shares with every other such
// operation (instead of an error of its own).

export type OperationStatus = 'waiting' | 'running' | 'succeeded' | 'failed' | 'cancelled';

/** A session's death: the one root cause every operation that depended on it is charged to. */
export interface SessionDeath {
  sessionId: string;
  /** Short, engine-written, no secrets: e.g. `browser crashed (pid 4242)`, `heartbeat: login-form`. */
  cause: string;
  /** ISO time from the monitor's Clock. */
  at: string;
}

export interface OperationRecord {
  id: string;
  sessionId: string;
  name: string;
  status: OperationStatus;
  /** Set while waiting: why it has not started. */
  waiting?: { reason: string };
  /** The death that halted (waiting) or cancelled this operation. */
  rootCause?: SessionDeath;
  /** `caller` when the caller's own signal cancelled it, `session` when its session's death did. */
  cancelledBy?: 'caller' | 'session';
  /** The operation's own failure, as a code (messages can carry secrets). */
  errorCode?: string;
}

export function deathReason(death: SessionDeath): string {
  return `session ${death.sessionId} dead: ${death.cause}`;
}
