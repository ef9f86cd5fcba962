// The summary of a batch of operations: consistent counts (total = succeeded + failed +
// cancelled + waiting + running, running being 0 once the batch has settled) and ONE root
// cause for everything a dead session halted or cancelled, instead of one error per operation.
import { deathReason, type OperationRecord, type SessionDeath } from './operation-record';

export interface RootCauseSummary extends SessionDeath {
  reason: string;
  /** Operations it cancelled in flight. */
  cancelled: number;
  /** Operations it keeps from starting. */
  waiting: number;
}

export interface BatchSummary {
  total: number;
  succeeded: number;
  failed: number;
  cancelled: number;
  waiting: number;
  running: number;
  /** The earliest session death that affected the batch; null when none did. */
  rootCause: RootCauseSummary | null;
  /** Every death that affected the batch (usually one), earliest first. */
  rootCauses: RootCauseSummary[];
  /** The operations' own failures, by error code. */
  failures: Record<string, number>;
  /** Cancelled by their callers, not by a death. */
  cancelledByCaller: number;
}

export function summarizeBatch(records: readonly OperationRecord[]): BatchSummary {
  const count = (status: OperationRecord['status']) => records.filter((r) => r.status === status).length;
  const causes = new Map<string, RootCauseSummary>();
  const failures: Record<string, number> = {};
  for (const record of records) {
    if (record.status === 'failed') failures[record.errorCode ?? 'UNKNOWN'] = (failures[record.errorCode ?? 'UNKNOWN'] ?? 0) + 1;
    const affected = record.status === 'waiting' || (record.status === 'cancelled' && record.cancelledBy === 'session');
    if (!affected || !record.rootCause) continue;
    const key = `${record.rootCause.sessionId}\u0000${record.rootCause.at}`;
    const summary = causes.get(key) ?? { ...record.rootCause, reason: deathReason(record.rootCause), cancelled: 0, waiting: 0 };
    if (record.status === 'waiting') summary.waiting += 1;
    else summary.cancelled += 1;
    causes.set(key, summary);
  }
  const rootCauses = [...causes.values()].sort((a, b) => a.at.localeCompare(b.at));
  return {
    total: records.length,
    succeeded: count('succeeded'),
    failed: count('failed'),
    cancelled: count('cancelled'),
    waiting: count('waiting'),
    running: count('running'),
    rootCause: rootCauses[0] ?? null,
    rootCauses,
    failures,
    cancelledByCaller: records.filter((r) => r.status === 'cancelled' && r.cancelledBy === 'caller').length,
  };
}
