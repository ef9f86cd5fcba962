// The effects a master session asks the host to run, with their params. libs/ implements
// them (browser, portal adapter, alerter); the machine only names them. Params never hold a
// secret: credentials are a reference the SecretProvider resolves, a captcha answer is looked
// up in the CaptchaSolver by challenge id.

interface PortalParams {
  portal: string;
}

/** Starts Chromium on the portal's profile. Answers BROWSER_LAUNCHED. */
export type LaunchBrowserParams = PortalParams;

/** Closes the portal's browser; closing one that is already gone succeeds. Answers BROWSER_CLOSED. */
export type CloseBrowserParams = PortalParams;

/**
 * Logs in (`login`: in a freshly launched browser; `relogin`: in the running one, after
 * clearing the dead session). `challengeId` is set when retrying with an operator's captcha
 * answer. Answers LOGGED_IN, CAPTCHA_REQUIRED or LOGIN_FAILED.
 */
export interface LoginParams extends PortalParams {
  credentialsRef: string;
  challengeId: string | null;
}

/** Checks that the session is still logged in. Answers PROBE_OK / PROBE_FAILED echoing `probe`. */
export interface ProbeSessionParams extends PortalParams {
  probe: number;
}

/** Copies the profile folder aside (browser closed). Answers PROFILE_BACKED_UP { backupRef }. */
export type BackupProfileParams = PortalParams;

/** Deletes the profile folder. Answers PROFILE_WIPED. */
export type WipeProfileParams = PortalParams;

/** Puts the backup back and reopens the browser on it. Answers PROFILE_RESTORED. */
export interface RestoreProfileParams extends PortalParams {
  backupRef: string;
}

/**
 * Tells a human. Tracked (not fire-and-forget) so that a crash or a failed delivery re-sends
 * it; `alertId` lets the receiver drop duplicates. Answers ALERT_SENT.
 */
export interface SendAlertParams extends PortalParams {
  alertId: string;
  level: 'critical';
  code: 'RECOVERY_EXHAUSTED';
  message: string;
}

/**
 * Gives up the login parked on an unanswered challenge (its answer window closed): the
 * operator can no longer answer it, and the page is free for the next login. Fire-and-forget.
 */
export interface WithdrawCaptchaParams extends PortalParams {
  challengeId: string;
}

export interface MasterSessionEffectParams {
  launchBrowser: LaunchBrowserParams;
  closeBrowser: CloseBrowserParams;
  login: LoginParams;
  relogin: LoginParams;
  probeSession: ProbeSessionParams;
  backupProfile: BackupProfileParams;
  wipeProfile: WipeProfileParams;
  restoreProfile: RestoreProfileParams;
  sendAlert: SendAlertParams;
  withdrawCaptcha: WithdrawCaptchaParams;
}

export type MasterSessionEffect = keyof MasterSessionEffectParams;
