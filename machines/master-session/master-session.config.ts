// Recovery configuration of a master session: heartbeat interval and, per recovery level,
// how many tries and how far apart. Defaults come from issue 6; every value can be overridden
// through the machine's input, and the resolved config is kept in context so that a running
// session never changes its behaviour when the defaults change.

export type RecoveryLevel = 'soft' | 'hard' | 'nuclear';

export const RECOVERY_LEVELS: readonly RecoveryLevel[] = ['soft', 'hard', 'nuclear'];

export interface RecoveryLevelConfig {
  tries: number;
  /** The wait before the next try of the same level is drawn from [minWaitMs, maxWaitMs]. */
  minWaitMs: number;
  maxWaitMs: number;
}

export interface MasterSessionConfig {
  /** Heartbeat probe interval while ready. */
  heartbeatMs: number;
  /** Slower probe interval while critical: a successful probe ends the critical state. */
  criticalHeartbeatMs: number;
  /** Wait before re-sending a critical alert whose delivery failed. */
  alertRetryMs: number;
  soft: RecoveryLevelConfig;
  hard: RecoveryLevelConfig;
  nuclear: RecoveryLevelConfig;
}

export type MasterSessionConfigOverrides = Partial<Omit<MasterSessionConfig, RecoveryLevel>> & {
  [L in RecoveryLevel]?: Partial<RecoveryLevelConfig>;
};

export const DEFAULT_MASTER_SESSION_CONFIG: MasterSessionConfig = {
  heartbeatMs: 30_000,
  criticalHeartbeatMs: 120_000,
  alertRetryMs: 60_000,
  soft: { tries: 3, minWaitMs: 10_000, maxWaitMs: 20_000 },
  hard: { tries: 2, minWaitMs: 30_000, maxWaitMs: 60_000 },
  // One try by default; the waits only matter when an operator configures more.
  nuclear: { tries: 1, minWaitMs: 60_000, maxWaitMs: 120_000 },
};

/** Problems with a config, one line each; empty when it is usable. For validation at the edge. */
export function masterSessionConfigProblems(config: MasterSessionConfig): string[] {
  const problems: string[] = [];
  const positive = (path: string, value: number) => {
    if (!Number.isInteger(value) || value < 1) problems.push(`${path} must be a positive integer, got ${value}`);
  };
  const nonNegative = (path: string, value: number) => {
    if (!Number.isInteger(value) || value < 0) problems.push(`${path} must be a non-negative integer, got ${value}`);
  };
  positive('heartbeatMs', config.heartbeatMs);
  positive('criticalHeartbeatMs', config.criticalHeartbeatMs);
  positive('alertRetryMs', config.alertRetryMs);
  for (const level of RECOVERY_LEVELS) {
    const c = config[level];
    positive(`${level}.tries`, c.tries);
    nonNegative(`${level}.minWaitMs`, c.minWaitMs);
    nonNegative(`${level}.maxWaitMs`, c.maxWaitMs);
    if (c.minWaitMs > c.maxWaitMs) problems.push(`${level}.minWaitMs (${c.minWaitMs}) exceeds ${level}.maxWaitMs (${c.maxWaitMs})`);
  }
  return problems;
}

/** Defaults merged with the overrides. Throws a RangeError naming every bad value. */
export function resolveMasterSessionConfig(overrides: MasterSessionConfigOverrides = {}): MasterSessionConfig {
  const d = DEFAULT_MASTER_SESSION_CONFIG;
  const config: MasterSessionConfig = {
    heartbeatMs: overrides.heartbeatMs ?? d.heartbeatMs,
    criticalHeartbeatMs: overrides.criticalHeartbeatMs ?? d.criticalHeartbeatMs,
    alertRetryMs: overrides.alertRetryMs ?? d.alertRetryMs,
    soft: { ...d.soft, ...overrides.soft },
    hard: { ...d.hard, ...overrides.hard },
    nuclear: { ...d.nuclear, ...overrides.nuclear },
  };
  const problems = masterSessionConfigProblems(config);
  if (problems.length > 0) throw new RangeError(`invalid master-session config: ${problems.join('; ')}`);
  return config;
}

/**
 * How long an operator has to answer a captcha and what happens when nobody does. Set by the
 * server's configuration and recorded with each challenge (CAPTCHA_REQUIRED carries it), so the
 * log alone says which deadline a challenge had, and a running session keeps the policy it was
 * asked under when the configuration changes.
 */
export interface CaptchaPolicy {
  /** The challenge expires this long after it was asked; the login is then withdrawn. */
  answerWithinMs: number;
  /** After an expiry, the wait before a new challenge is asked: doubles per unanswered challenge, from min to max. */
  retryMinMs: number;
  retryMaxMs: number;
  /** A warning alert is raised once this many challenges in a row went unanswered. */
  warnAfter: number;
}

export const DEFAULT_CAPTCHA_POLICY: CaptchaPolicy = {
  answerWithinMs: 300_000,
  retryMinMs: 10_000,
  retryMaxMs: 600_000,
  warnAfter: 3,
};

/** Problems with a captcha policy, one line each; empty when it is usable. */
export function captchaPolicyProblems(policy: CaptchaPolicy): string[] {
  const problems: string[] = [];
  for (const key of ['answerWithinMs', 'retryMinMs', 'retryMaxMs', 'warnAfter'] as const) {
    const value = policy[key];
    const min = key === 'retryMinMs' ? 0 : 1;
    if (!Number.isInteger(value) || value < min) problems.push(`${key} must be an integer ≥ ${min}, got ${value}`);
  }
  if (policy.retryMinMs > policy.retryMaxMs) problems.push(`retryMinMs (${policy.retryMinMs}) exceeds retryMaxMs (${policy.retryMaxMs})`);
  return problems;
}

/** Defaults merged with the overrides. Throws a RangeError naming every bad value. */
export function resolveCaptchaPolicy(overrides: Partial<CaptchaPolicy> = {}): CaptchaPolicy {
  const policy = { ...DEFAULT_CAPTCHA_POLICY, ...overrides };
  const problems = captchaPolicyProblems(policy);
  if (problems.length > 0) throw new RangeError(`invalid captcha policy: ${problems.join('; ')}`);
  return policy;
}

/** The wait before asking again after `unanswered` challenges in a row expired (≥ 1). */
export function captchaRetryDelayMs(policy: CaptchaPolicy, unanswered: number): number {
  const doubled = policy.retryMinMs * 2 ** Math.max(0, Math.min(unanswered - 1, 30));
  return Math.min(policy.retryMaxMs, doubled);
}
