// Recovery history of a master session, projected from its recorded events: one row per
// attempt with level, try, start, end, duration, outcome and error code. Each event's
// stateAfter holds the running recovery's attempts, so a row starts at the first event that
// shows the attempt and ends at the first event that shows its outcome; times are the events'.
import type { RecordedEvent } from '@engine/core';
import type { RecoveryLevel } from './master-session.config';
import type { AttemptOutcome, MasterSessionContext } from './master-session.context';

export interface RecoveryAttemptRecord {
  /** The nth recovery of the session. */
  recovery: number;
  level: RecoveryLevel;
  try: number;
  startedAt: string;
  endedAt: string | null;
  durationMs: number | null;
  outcome: AttemptOutcome;
  errorCode: string | null;
}

export function recoveryHistory(events: readonly RecordedEvent[]): RecoveryAttemptRecord[] {
  const rows = new Map<string, RecoveryAttemptRecord>();
  for (const event of events) {
    const recovery = contextOf(event)?.recovery;
    if (!recovery) continue;
    recovery.attempts.forEach((attempt, index) => {
      const key = `${recovery.number}:${index}`;
      let row = rows.get(key);
      if (!row) {
        row = { recovery: recovery.number, level: attempt.level, try: attempt.try, startedAt: event.meta.at, endedAt: null, durationMs: null, outcome: 'running', errorCode: null };
        rows.set(key, row);
      }
      if (row.outcome === 'running' && attempt.outcome !== 'running') {
        row.outcome = attempt.outcome;
        row.endedAt = event.meta.at;
        row.durationMs = Date.parse(event.meta.at) - Date.parse(row.startedAt);
        row.errorCode = attempt.error?.code ?? null;
      }
    });
  }
  return [...rows.values()];
}

/** Recoveries whose first attempt started in the hour up to `atMs` (the alerter warns above a threshold). */
export function recoveriesPerHour(history: readonly RecoveryAttemptRecord[], atMs: number): number {
  const firstStart = new Map<number, number>();
  for (const row of history) {
    const started = Date.parse(row.startedAt);
    firstStart.set(row.recovery, Math.min(started, firstStart.get(row.recovery) ?? Infinity));
  }
  return [...firstStart.values()].filter((started) => started > atMs - HOUR_MS && started <= atMs).length;
}

const HOUR_MS = 3_600_000;

function contextOf(event: RecordedEvent): MasterSessionContext | undefined {
  const state = event.stateAfter as { context?: MasterSessionContext } | null;
  return state?.context;
}
