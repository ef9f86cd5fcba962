// What a master session remembers (its XState context) and the pure updates the machine
// applies to it. JSON only: it is stored in every event's stateAfter. The running recovery
// keeps one entry per attempt, so level, try and outcome of each attempt are in the log and
// the recovery history is a projection of it (recovery-history.ts).
import { resolveMasterSessionConfig, type CaptchaPolicy, type MasterSessionConfig, type MasterSessionConfigOverrides, type RecoveryLevel } from './master-session.config';
import type { MasterSessionErrorInfo } from './master-session.events';
import { recoveryWaitMs } from './recovery-wait';

export interface MasterSessionInput {
  portal: string;
  /** Name the SecretProvider resolves at effect time; never the credentials themselves. */
  credentialsRef: string;
  /** Seeds the deterministic jitter of recovery waits; defaults to the portal. */
  jitterSeed?: string;
  config?: MasterSessionConfigOverrides;
}

/**
 * The challenge the login waits on. Version 1 recorded `{ challengeId }` only; since version 2
 * the challenge carries its deadline and policy, and the counters survive from one challenge to
 * the next until the session logs in (or gives up the login).
 */
export interface CaptchaWait {
  challengeId: string;
  askedAt?: string;
  expiresAt?: string;
  policy?: CaptchaPolicy;
  /** Challenges in a row that expired without an answer. */
  unanswered?: number;
  /** Answers the portal refused (each followed by a new challenge). */
  wrongAnswers?: number;
  /** True between an operator's answer and the login's outcome. */
  answered?: boolean;
}

export type AttemptOutcome = 'running' | 'succeeded' | 'failed';

export interface RecoveryAttempt {
  level: RecoveryLevel;
  /** 1-based within its level. */
  try: number;
  outcome: AttemptOutcome;
  error: MasterSessionErrorInfo | null;
}

export type RecoveryTrigger =
  | { kind: 'failureReport'; jobId: string; reason: string; at: string }
  | { kind: 'heartbeat'; reason: string }
  /** The browser disconnected: recovery starts at the hard level (a new browser). */
  | { kind: 'browserLost'; reason: string; at: string }
  /** The first launch or login failed (also after an operator RESET). */
  | { kind: 'startup'; reason: string }
  /** An operator forced a recovery at `level` (RECOVERY_REQUESTED). */
  | { kind: 'operator'; reason: string; by: string; level: RecoveryLevel; at: string };

export interface Recovery {
  /** The nth recovery of this session, 1-based. */
  number: number;
  trigger: RecoveryTrigger;
  outcome: AttemptOutcome;
  attempts: RecoveryAttempt[];
  /** Failure reports that arrived while this recovery ran and joined it instead of starting another. */
  joinedReports: number;
  backupRef: string | null;
  /** Set when a failed nuclear attempt put the profile backup back. */
  profileRestore: 'restored' | 'failed' | null;
}

export interface MasterSessionContext {
  portal: string;
  credentialsRef: string;
  jitterSeed: string;
  config: MasterSessionConfig;
  /** The captcha challenge an operator has to answer (or the last one, while waiting to ask again); null when none is awaited. */
  captcha: CaptchaWait | null;
  /** Probes started so far; the current probe's number. */
  probes: number;
  /** When the session last became healthy (a login or a probe after critical succeeded). */
  readySince: string | null;
  failureReports: number;
  /** Reports of failures seen before the session last became healthy: already dealt with. */
  staleReports: number;
  recoveries: number;
  /** The running recovery, or the last one (kept until the next starts, for the inspector). */
  recovery: Recovery | null;
  /** True while critical: jobs must not be started against this session. */
  intakeHalted: boolean;
}

export function initialContext(input: MasterSessionInput): MasterSessionContext {
  return {
    portal: input.portal,
    credentialsRef: input.credentialsRef,
    jitterSeed: input.jitterSeed ?? input.portal,
    config: resolveMasterSessionConfig(input.config),
    captcha: null,
    probes: 0,
    readySince: null,
    failureReports: 0,
    staleReports: 0,
    recoveries: 0,
    recovery: null,
    intakeHalted: false,
  };
}

export function startRecovery(context: MasterSessionContext, trigger: RecoveryTrigger): Partial<MasterSessionContext> {
  const number = context.recoveries + 1;
  return {
    recoveries: number,
    recovery: { number, trigger, outcome: 'running', attempts: [], joinedReports: 0, backupRef: null, profileRestore: null },
  };
}

export function beginAttempt(recovery: Recovery, level: RecoveryLevel): Recovery {
  const attempt: RecoveryAttempt = { level, try: triesAt(recovery, level) + 1, outcome: 'running', error: null };
  return { ...recovery, attempts: [...recovery.attempts, attempt] };
}

/** Ends the running attempt; a succeeded attempt ends the recovery too. */
export function endAttempt(recovery: Recovery, outcome: 'succeeded' | 'failed', error: MasterSessionErrorInfo | null): Recovery {
  const attempts = recovery.attempts.map((a, i) => (i === recovery.attempts.length - 1 ? { ...a, outcome, error } : a));
  return { ...recovery, attempts, outcome: outcome === 'succeeded' ? 'succeeded' : recovery.outcome };
}

export function triesAt(recovery: Recovery, level: RecoveryLevel): number {
  return recovery.attempts.filter((a) => a.level === level).length;
}

export function triesLeft(context: MasterSessionContext, level: RecoveryLevel): boolean {
  return context.recovery !== null && triesAt(context.recovery, level) < context.config[level].tries;
}

/** The durable wait before the next try of `level`. */
export function retryDelayMs(context: MasterSessionContext, level: RecoveryLevel): number {
  const recovery = context.recovery as Recovery;
  return recoveryWaitMs(context.config[level], {
    seed: context.jitterSeed,
    recovery: recovery.number,
    level,
    nextTry: triesAt(recovery, level) + 1,
  });
}
