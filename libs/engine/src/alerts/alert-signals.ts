// What the alert rules read, projected from recorded events as they arrive: per portal, the
// first start of each master-session recovery, and each job's final outcome. Only a window's
// worth is kept, so the projection stays small however long the log grows.
import type { RecordedEvent } from '@engine/core';
import { isJobFinal, recoveryHistory, type RecoveryAttemptRecord } from '@engine/machines';
import type { CaptchaSignal, JobSuccessRate } from './alert-rules';
import { OutcomeWindow } from './outcome-window';

const MASTER_PREFIX = 'master-';
const JOB_PREFIX = 'job-';

export class AlertSignals {
  /** portal → recovery number → its first attempt row (what recoveriesPerHour counts by). */
  private readonly recoveries = new Map<string, Map<string, RecoveryAttemptRecord>>();
  /** Job stream → when it finished, in the order seen: each job counts once. */
  private readonly finished = new Map<string, number>();
  /** portal → its finished jobs, for the success rate. */
  private readonly outcomes = new Map<string, OutcomeWindow>();
  /** portal → its master session's captcha, as of the session's last event (none: not waiting). */
  private readonly captchas = new Map<string, CaptchaSignal>();
  private readonly portalNames = new Set<string>();

  constructor(private readonly keepMs: number) {}

  /** Takes in one event; false when it changed no signal (most job events), so no rule needs evaluating. */
  observe(event: RecordedEvent): boolean {
    const state = event.stateAfter as { value?: unknown; status?: string; context?: { portal?: unknown; jobId?: unknown; captcha?: unknown } } | null;
    const portal = typeof state?.context?.portal === 'string' ? state.context.portal : null;
    if (!portal) return false;
    if (event.stream.startsWith(MASTER_PREFIX)) {
      this.portalNames.add(portal);
      const rows = this.recoveries.get(portal) ?? new Map<string, RecoveryAttemptRecord>();
      this.recoveries.set(portal, rows);
      // Per-recovery: the earliest row seen is its start (events arrive in order).
      for (const row of recoveryHistory([event])) {
        const key = `${event.stream}:${row.recovery}`;
        if (!rows.has(key)) rows.set(key, row);
      }
      const captcha = state?.context?.captcha as { unanswered?: number; policy?: { warnAfter?: number } } | null | undefined;
      if (captcha && typeof captcha.unanswered === 'number' && typeof captcha.policy?.warnAfter === 'number') {
        this.captchas.set(portal, { unanswered: captcha.unanswered, warnAfter: captcha.policy.warnAfter });
      } else this.captchas.delete(portal);
      return true;
    }
    if (event.stream.startsWith(JOB_PREFIX) && state?.status === 'done' && !this.finished.has(event.stream)) {
      if (!isJobFinal({ value: state.value })) return false;
      this.portalNames.add(portal);
      const jobId = typeof state.context?.jobId === 'string' ? state.context.jobId : event.stream.slice(JOB_PREFIX.length);
      const atMs = Date.parse(event.meta.at);
      this.finished.set(event.stream, atMs);
      const window = this.outcomes.get(portal) ?? new OutcomeWindow();
      this.outcomes.set(portal, window);
      window.add({ jobId, portal, outcome: state.value as string, atMs });
      return true;
    }
    return false;
  }

  portals(): string[] {
    return [...this.portalNames].sort();
  }

  recoveryRows(portal: string): RecoveryAttemptRecord[] {
    return [...(this.recoveries.get(portal)?.values() ?? [])];
  }

  /** The portal's master session waits on a captcha (version 2): how many challenges in a row expired, and when to warn. */
  captcha(portal: string): CaptchaSignal | null {
    return this.captchas.get(portal) ?? null;
  }

  /** The portal's job success rate over (atMs - windowMs, atMs]. */
  successRate(portal: string, atMs: number, windowMs: number): JobSuccessRate {
    return this.outcomes.get(portal)?.rate(atMs, windowMs) ?? { finished: 0, submitted: 0, rate: null };
  }

  /**
   * Forgets what no window can reach any more. Finished jobs are held in the order they finished,
   * so this stops at the first one still in reach instead of walking them all at every evaluation
   * (one recorded out of clock order waits for those before it to be forgotten).
   */
  prune(atMs: number): void {
    const horizon = atMs - this.keepMs;
    for (const rows of this.recoveries.values()) {
      for (const [key, row] of rows) if (Date.parse(row.startedAt) <= horizon) rows.delete(key);
    }
    for (const [stream, atMs] of this.finished) {
      if (atMs > horizon) break;
      this.finished.delete(stream);
    }
    for (const window of this.outcomes.values()) window.prune(horizon);
  }
}
