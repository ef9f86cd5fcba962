// Events of the master-session machine: commands from jobs and operators, the outcomes of its
// effects (reported by the host), and its durable timers. Past-tense facts with typed data.
// No secret ever travels in an event: a captcha answer stays with the CaptchaSolver and the
// command only names the challenge it answers. Type aliases, not interfaces, so that each
// event is an EngineEvent (a record) for the host and for machineSpec.
import type { CaptchaPolicy, RecoveryLevel } from './master-session.config';

export type MasterSessionErrorInfo = {
  code: string;
  message: string;
};

// ── Commands ────────────────────────────────────────────────────────────────────────────

/** A job found the master session broken. Starts a recovery, or joins the one running. */
export type FailureReported = {
  type: 'FAILURE_REPORTED';
  jobId: string;
  reason: string;
  /** ISO time the job saw the failure. */
  at: string;
};

/** The session's browser disconnected (crashed, killed): re-login cannot help, a new browser is needed. */
export type BrowserLost = {
  type: 'BROWSER_LOST';
  reason: string;
  at: string;
};

/** An operator answered the captcha; the answer is held by the CaptchaSolver under challengeId. */
export type CaptchaAnswered = {
  type: 'CAPTCHA_ANSWERED';
  challengeId: string;
  /** Who answered (`api`, `inspector`); recorded with the event, never the answer. Absent in older logs. */
  by?: string;
};

/**
 * The login parked on a captcha is gone without an answer: the process restarted (the page
 * died with it), or the login gave up on its own (the portal's page timed out). The session
 * asks a new challenge instead of waiting for an answer nobody can give.
 */
export type CaptchaWithdrawn = {
  type: 'CAPTCHA_WITHDRAWN';
  challengeId: string;
  /** `process_restarted`, or the error code the parked login ended with. */
  reason: string;
};

/**
 * An operator forces a recovery at a level (soft: re-login; hard: a new browser; nuclear: a
 * fresh profile) from any state, instead of waiting for the ladder to get there.
 */
export type RecoveryRequested = { type: 'RECOVERY_REQUESTED'; level: RecoveryLevel; by: string; at: string };

/** An operator starts the session again from a fresh browser, from any state (critical, a wedged login, a recovery). */
export type ResetRequested = {
  type: 'RESET';
  /** Who asked, for the audit trail. */
  by: string;
};

// ── Effect outcomes ─────────────────────────────────────────────────────────────────────

export type BrowserLaunched = {
  type: 'BROWSER_LAUNCHED';
};

export type BrowserClosed = {
  type: 'BROWSER_CLOSED';
};

export type LoggedIn = {
  type: 'LOGGED_IN';
  at: string;
};

/**
 * The portal asked for a captcha; the solver (manual: an operator) must answer it first.
 * `at`, `expiresAt` and `policy` are recorded since machine version 2: the challenge expires on
 * a durable timer. Version 1 recorded the challenge id only (and waited without a timer).
 */
export type CaptchaRequired = {
  type: 'CAPTCHA_REQUIRED';
  challengeId: string;
  at?: string;
  expiresAt?: string;
  policy?: CaptchaPolicy;
};

/** The portal refused the login (as opposed to the effect itself crashing: EFFECT_FAILED). */
export type LoginFailed = {
  type: 'LOGIN_FAILED';
  error: MasterSessionErrorInfo;
};

/** `probe` echoes the probe number from the effect's params, so a late answer is recognised. */
export type SessionProbeSucceeded = {
  type: 'PROBE_OK';
  probe: number;
  at: string;
};

export type SessionProbeFailed = {
  type: 'PROBE_FAILED';
  probe: number;
  at: string;
  reason: string;
};

export type ProfileBackedUp = {
  type: 'PROFILE_BACKED_UP';
  /** Opaque name of the backup, handed back to restoreProfile. */
  backupRef: string;
};

export type ProfileWiped = {
  type: 'PROFILE_WIPED';
};

export type ProfileRestored = {
  type: 'PROFILE_RESTORED';
};

export type AlertSent = {
  type: 'ALERT_SENT';
};

/** Reported by the host when an effect handler threw instead of answering. */
export type MasterSessionEffectFailed = {
  type: 'EFFECT_FAILED';
  effect: string;
  /** The failed run's id and params (the host adds both): a late failure of an old run is told apart. */
  effectId: string;
  params: unknown;
  error: MasterSessionErrorInfo;
};

// ── Durable timers (fired by the host as `TIMER.<name>`) ────────────────────────────────

export type MasterSessionTimerFired =
  | { type: 'TIMER.heartbeat' }
  | { type: 'TIMER.retry' }
  | { type: 'TIMER.alertRetry' }
  /** The open challenge's answer window closed. */
  | { type: 'TIMER.captchaExpiry' }
  /** The wait after an unanswered challenge is over: ask a new one. */
  | { type: 'TIMER.captchaRetry' };

export type MasterSessionCommand = FailureReported | BrowserLost | CaptchaAnswered | CaptchaWithdrawn | ResetRequested | RecoveryRequested;

export type MasterSessionOutcome =
  | BrowserLaunched
  | BrowserClosed
  | LoggedIn
  | CaptchaRequired
  | LoginFailed
  | SessionProbeSucceeded
  | SessionProbeFailed
  | ProfileBackedUp
  | ProfileWiped
  | ProfileRestored
  | AlertSent
  | MasterSessionEffectFailed;

export type MasterSessionEvent = MasterSessionCommand | MasterSessionOutcome | MasterSessionTimerFired;
