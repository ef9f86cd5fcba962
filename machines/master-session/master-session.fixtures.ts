// Typed builders for the events of master-session specifications, so that a test cannot send
// an event the machine does not define (machineSpec takes any EventObject).
import type { CaptchaPolicy } from './master-session.config';
import type { MasterSessionInput } from './master-session.context';
import type { MasterSessionEvent } from './master-session.events';

export const INPUT: MasterSessionInput = { portal: 'portal-a', credentialsRef: 'secret://portal-a/login', jitterSeed: 'seed-1' };

/** A short policy, so that specs read: 60 s to answer, then 5 s, 10 s, 20 s … (at most 30 s) before asking again; warn after 3. */
export const CAPTCHA_POLICY: CaptchaPolicy = { answerWithinMs: 60_000, retryMinMs: 5_000, retryMaxMs: 30_000, warnAfter: 3 };

const T = (s: number) => new Date(Date.UTC(2026, 0, 1) + s * 1_000).toISOString();

export const ev = {
  launched: (): MasterSessionEvent => ({ type: 'BROWSER_LAUNCHED' }),
  closed: (): MasterSessionEvent => ({ type: 'BROWSER_CLOSED' }),
  loggedIn: (atS = 2): MasterSessionEvent => ({ type: 'LOGGED_IN', at: T(atS) }),
  loginFailed: (code = 'LOGIN_REJECTED'): MasterSessionEvent => ({ type: 'LOGIN_FAILED', error: { code, message: 'portal said no' } }),
  effectFailed: (effect: string, code = 'BROWSER_CRASHED', params: unknown = null): MasterSessionEvent => ({
    type: 'EFFECT_FAILED',
    effect,
    effectId: `master-portal-a:1:0`,
    params,
    error: { code, message: 'boom' },
  }),
  captchaRequired: (challengeId = 'ch-1'): MasterSessionEvent => ({ type: 'CAPTCHA_REQUIRED', challengeId }),
  /** A version-2 challenge: asked at T+atS, with the policy that sets its deadline. */
  timedCaptcha: (challengeId = 'ch-1', atS = 3, policy: CaptchaPolicy = CAPTCHA_POLICY): MasterSessionEvent => ({
    type: 'CAPTCHA_REQUIRED',
    challengeId,
    at: T(atS),
    expiresAt: new Date(Date.parse(T(atS)) + policy.answerWithinMs).toISOString(),
    policy,
  }),
  captchaWithdrawn: (challengeId = 'ch-1', reason = 'process_restarted'): MasterSessionEvent => ({ type: 'CAPTCHA_WITHDRAWN', challengeId, reason }),
  captchaAnswered: (challengeId = 'ch-1'): MasterSessionEvent => ({ type: 'CAPTCHA_ANSWERED', challengeId }),
  probeOk: (probe: number, atS = 100): MasterSessionEvent => ({ type: 'PROBE_OK', probe, at: T(atS) }),
  probeFailed: (probe: number, reason = 'login-form'): MasterSessionEvent => ({ type: 'PROBE_FAILED', probe, at: T(100), reason }),
  browserLost: (atS = 60): MasterSessionEvent => ({ type: 'BROWSER_LOST', reason: 'browser_crashed', at: T(atS) }),
  report: (jobId = 'job-1', atS = 50): MasterSessionEvent => ({ type: 'FAILURE_REPORTED', jobId, reason: 'session expired', at: T(atS) }),
  backedUp: (backupRef = 'backup-1'): MasterSessionEvent => ({ type: 'PROFILE_BACKED_UP', backupRef }),
  wiped: (): MasterSessionEvent => ({ type: 'PROFILE_WIPED' }),
  restored: (): MasterSessionEvent => ({ type: 'PROFILE_RESTORED' }),
  alertSent: (): MasterSessionEvent => ({ type: 'ALERT_SENT' }),
  reset: (): MasterSessionEvent => ({ type: 'RESET', by: 'operator-1' }),
  timer: (name: 'heartbeat' | 'retry' | 'alertRetry' | 'captchaExpiry' | 'captchaRetry'): MasterSessionEvent => ({ type: `TIMER.${name}` }),
};

/** From start to ready: browser launched, logged in at T+2 s. */
export const TO_READY: MasterSessionEvent[] = [ev.launched(), ev.loggedIn()];

/** From ready to a running soft recovery, started by a job's report. */
export const TO_SOFT: MasterSessionEvent[] = [...TO_READY, ev.report()];

/** `n` failed soft tries, each followed by its retry timer except the last. */
export function softFailures(n: number): MasterSessionEvent[] {
  return Array.from({ length: n }, (_, i) => (i < n - 1 ? [ev.loginFailed(), ev.timer('retry')] : [ev.loginFailed()])).flat();
}

/** One failed hard try: close, launch, login refused. */
export const HARD_FAILURE: MasterSessionEvent[] = [ev.closed(), ev.launched(), ev.loginFailed()];

/** From ready to the first nuclear try: soft and hard exhausted with the default config. */
export const TO_NUCLEAR: MasterSessionEvent[] = [...TO_SOFT, ...softFailures(3), ...HARD_FAILURE, ev.timer('retry'), ...HARD_FAILURE];

/** A nuclear try up to its login: closed, backed up, wiped, launched. */
export const NUCLEAR_TO_LOGIN: MasterSessionEvent[] = [ev.closed(), ev.backedUp(), ev.wiped(), ev.launched()];

/** From ready to critical: every level exhausted, the backup restored. */
export const TO_CRITICAL: MasterSessionEvent[] = [...TO_NUCLEAR, ...NUCLEAR_TO_LOGIN, ev.loginFailed(), ev.restored()];
