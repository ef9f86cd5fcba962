// The operations other than jobs that use a master session — a session lease seeding its browser
// from the master page, a keep-alive probe of the page — run under the health monitor, and the
// requests refused because the session was not available: kept in one place so an open incident
// counts them under its one root cause instead of each being reported as a failure of its own.
import type { Clock } from '@engine/core';
import type { BatchSummary } from './batch-summary';
import type { HealthMonitor } from './health-monitor';
import type { OperationBatch, RunOptions } from './operation-batch';

/** What a session's outage held, cancelled or refused (SessionOperations.chargedTo). */
export interface ChargedOperations {
  /** Held until the session is healthy again. */
  waiting: number;
  /** Cancelled by the session's death: in flight when it died, or found it dead (a keep-alive probe). */
  cancelled: number;
  /** Refused at the door: the session was not available (a lease request). */
  refused: number;
  /** The same operations by name (`lease`, `keepAlive`). */
  byName: Record<string, number>;
}

interface Refusal {
  sessionId: string;
  name: string;
  at: string;
}

/** Records kept at most; older ones go once nothing of them is running or waiting. */
const KEPT = 20_000;

export class SessionOperations {
  private batch: OperationBatch;
  private refusals: Refusal[] = [];

  constructor(
    private readonly monitor: HealthMonitor,
    private readonly clock: Clock,
  ) {
    this.batch = monitor.batch();
  }

  /**
   * Runs `fn` as operation `name` on the session: under the health monitor when it watches the
   * session (it waits, or with `whenDead: 'cancel'` is cancelled, while the session is dead), as
   * it is when the session never had a browser (nothing to wait for).
   */
  run<T>(sessionId: string, name: string, fn: (signal: AbortSignal) => Promise<T>, options: RunOptions & { signal: AbortSignal }): Promise<T> {
    if (!this.monitor.watches(sessionId)) return fn(options.signal);
    if (this.batch.records.length >= KEPT && !this.batch.records.some((r) => r.status === 'running' || r.status === 'waiting')) this.batch = this.monitor.batch();
    return this.batch.run(sessionId, name, fn, options);
  }

  /** A request refused because the session was not available, charged to its outage. */
  refused(sessionId: string, name: string): void {
    if (this.refusals.length >= KEPT) this.refusals = this.refusals.slice(KEPT / 2);
    this.refusals.push({ sessionId, name, at: new Date(this.clock.now()).toISOString() });
  }

  /**
   * What the session's deaths and unavailability from `after` on (ISO; null: any time) held,
   * cancelled or refused: an incident's count, `after` being when the session last became available.
   */
  chargedTo(sessionId: string, after: string | null): ChargedOperations {
    const charged: ChargedOperations = { waiting: 0, cancelled: 0, refused: 0, byName: {} };
    const count = (name: string) => (charged.byName[name] = (charged.byName[name] ?? 0) + 1);
    for (const record of this.batch.records) {
      const death = record.rootCause;
      if (record.sessionId !== sessionId || !death || (after !== null && death.at < after)) continue;
      if (record.status === 'waiting') charged.waiting += 1;
      else if (record.status === 'cancelled') charged.cancelled += 1;
      else continue;
      count(record.name);
    }
    for (const refusal of this.refusals) {
      if (refusal.sessionId !== sessionId || (after !== null && refusal.at < after)) continue;
      charged.refused += 1;
      count(refusal.name);
    }
    return charged;
  }

  /** The batch summary of the guarded operations (one root cause per death). */
  summary(): BatchSummary {
    return this.batch.summary();
  }
}
