// Alert rules as pure functions of what the log says: too many master-session recoveries in an
// hour, too low a job success rate over a window, a captcha nobody answers. Each rule answers one condition per portal
// (active or not, with a message); the evaluator turns conditions into alerts without storms.
import { recoveriesPerHour, type RecoveryAttemptRecord } from '@engine/machines';

export interface AlertRulesConfig {
  /** Warn when a portal's master session started more recoveries than this in the last hour. */
  maxRecoveriesPerHour: number;
  /** Warn when submitted / finished jobs of a portal falls below this (0..1) over the window. */
  minJobSuccessRate: number;
  successRateWindowMs: number;
  /** Below this many finished jobs in the window the rate says nothing yet: no warning. */
  minFinishedJobs: number;
}

export const DEFAULT_ALERT_RULES: AlertRulesConfig = {
  maxRecoveriesPerHour: 10,
  minJobSuccessRate: 0.7,
  successRateWindowMs: 3_600_000,
  minFinishedJobs: 10,
};

export interface AlertCondition {
  /** One per rule and portal: an alert is raised once per key until its condition clears. */
  key: string;
  code: 'RECOVERY_RATE' | 'JOB_SUCCESS_RATE' | 'CAPTCHA_UNANSWERED';
  portal: string;
  active: boolean;
  message: string;
}

/** A master session waiting on a captcha: challenges in a row that expired unanswered, and the policy's threshold. */
export interface CaptchaSignal {
  unanswered: number;
  warnAfter: number;
}

/** Nobody answers the portal's captcha: raised once `warnAfter` challenges in a row expired, cleared when the session logs in. */
export function captchaUnansweredCondition(portal: string, captcha: CaptchaSignal | null): AlertCondition {
  return {
    key: `CAPTCHA_UNANSWERED:${portal}`,
    code: 'CAPTCHA_UNANSWERED',
    portal,
    active: captcha !== null && captcha.unanswered >= captcha.warnAfter,
    message: `portal ${portal}: ${captcha?.unanswered ?? 0} captcha challenges in a row expired unanswered; the master session cannot log in and its jobs wait (answer it in the inspector or POST /api/sessions/${portal}/captcha)`,
  };
}

/** A job that reached a final state: `submitted` counts as success, every other end as failure. */
export interface JobOutcome {
  jobId: string;
  portal: string;
  outcome: string;
  /** Epoch ms of the event that finished it. */
  atMs: number;
}

export function recoveryRateCondition(portal: string, history: readonly RecoveryAttemptRecord[], atMs: number, config: AlertRulesConfig): AlertCondition {
  const count = recoveriesPerHour(history, atMs);
  return {
    key: `RECOVERY_RATE:${portal}`,
    code: 'RECOVERY_RATE',
    portal,
    active: count > config.maxRecoveriesPerHour,
    message: `portal ${portal}: ${count} master-session recoveries in the last hour (threshold ${config.maxRecoveriesPerHour})`,
  };
}

export interface JobSuccessRate {
  finished: number;
  submitted: number;
  /** submitted / finished; null when nothing finished in the window. */
  rate: number | null;
}

/**
 * Submitted / finished jobs that finished in (atMs - windowMs, atMs]. A cancelled job is left
 * out: an operator chose to stop it, it says nothing about the portal or the engine.
 */
export function jobSuccessRate(outcomes: readonly JobOutcome[], atMs: number, windowMs: number): JobSuccessRate {
  const inWindow = outcomes.filter((o) => o.atMs > atMs - windowMs && o.atMs <= atMs && o.outcome !== 'cancelled');
  const submitted = inWindow.filter((o) => o.outcome === 'submitted').length;
  return { finished: inWindow.length, submitted, rate: inWindow.length === 0 ? null : submitted / inWindow.length };
}

export function jobSuccessRateCondition(portal: string, outcomes: readonly JobOutcome[], atMs: number, config: AlertRulesConfig): AlertCondition {
  return successRateCondition(portal, jobSuccessRate(outcomes.filter((o) => o.portal === portal), atMs, config.successRateWindowMs), config);
}

/** The success-rate condition from a rate already counted over the window (the monitor keeps running counts). */
export function successRateCondition(portal: string, { finished, submitted, rate }: JobSuccessRate, config: AlertRulesConfig): AlertCondition {
  const percent = rate === null ? 'n/a' : `${Math.round(rate * 1000) / 10} %`;
  return {
    key: `JOB_SUCCESS_RATE:${portal}`,
    code: 'JOB_SUCCESS_RATE',
    portal,
    active: rate !== null && finished >= config.minFinishedJobs && rate < config.minJobSuccessRate,
    message: `portal ${portal}: job success rate ${percent} (${submitted} of ${finished} finished jobs submitted in the last ${Math.round(config.successRateWindowMs / 60_000)} min; threshold ${config.minJobSuccessRate * 100} %)`,
  };
}
