// The alert rules as pure functions: thresholds, windows, and what counts.
import type { RecoveryAttemptRecord } from '@engine/machines';
import { DEFAULT_ALERT_RULES, jobSuccessRate, jobSuccessRateCondition, recoveryRateCondition, type JobOutcome } from './alert-rules';

const T = Date.UTC(2026, 0, 1, 12);
const MIN = 60_000;

function recoveries(n: number, lastAtMs: number): RecoveryAttemptRecord[] {
  return Array.from({ length: n }, (_, i) => ({
    recovery: i + 1,
    level: 'soft',
    try: 1,
    startedAt: new Date(lastAtMs - (n - 1 - i) * MIN).toISOString(),
    endedAt: null,
    durationMs: null,
    outcome: 'succeeded',
    errorCode: null,
  }));
}

const outcome = (outcome: string, atMs: number, portal = 'p'): JobOutcome => ({ jobId: `${atMs}-${Math.random()}`, portal, outcome, atMs });

describe('alert rules', () => {
  it('recovery rate: 10 in the hour is fine, 11 warns (threshold configurable)', () => {
    expect(recoveryRateCondition('p', recoveries(10, T), T, DEFAULT_ALERT_RULES).active).toBe(false);
    const eleven = recoveryRateCondition('p', recoveries(11, T), T, DEFAULT_ALERT_RULES);
    expect(eleven).toMatchObject({ active: true, code: 'RECOVERY_RATE', key: 'RECOVERY_RATE:p', portal: 'p' });
    expect(eleven.message).toContain('11 master-session recoveries');
    expect(recoveryRateCondition('p', recoveries(3, T), T, { ...DEFAULT_ALERT_RULES, maxRecoveriesPerHour: 2 }).active).toBe(true);
  });

  it('recovery rate: recoveries older than an hour do not count', () => {
    expect(recoveryRateCondition('p', recoveries(11, T), T + 51 * MIN, DEFAULT_ALERT_RULES).active).toBe(false); // the first left the hour
  });

  it('success rate: submitted / finished in the window, cancelled jobs left out', () => {
    const outcomes = [outcome('submitted', T), outcome('failed', T), outcome('cancelled', T), outcome('submitted', T - 2 * 3_600_000)];
    expect(jobSuccessRate(outcomes, T, 3_600_000)).toEqual({ finished: 2, submitted: 1, rate: 0.5 });
    expect(jobSuccessRate([], T, 3_600_000).rate).toBeNull();
  });

  it('success rate: warns below 70 % once enough jobs finished, per portal', () => {
    const bad = [...Array(6)].map(() => outcome('submitted', T)).concat([...Array(4)].map(() => outcome('failed_post_submission', T)));
    expect(jobSuccessRateCondition('p', bad, T, DEFAULT_ALERT_RULES)).toMatchObject({ active: true, code: 'JOB_SUCCESS_RATE' });
    expect(jobSuccessRateCondition('q', bad, T, DEFAULT_ALERT_RULES).active).toBe(false);
    const ok = [...Array(7)].map(() => outcome('submitted', T)).concat([...Array(3)].map(() => outcome('failed', T)));
    expect(jobSuccessRateCondition('p', ok, T, DEFAULT_ALERT_RULES).active).toBe(false);
    expect(jobSuccessRateCondition('p', bad.slice(4), T, DEFAULT_ALERT_RULES).active).toBe(false); // 6 jobs: too few to judge
    expect(jobSuccessRateCondition('p', ok, T, { ...DEFAULT_ALERT_RULES, minJobSuccessRate: 0.9 }).active).toBe(true);
  });
});
