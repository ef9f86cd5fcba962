// Portal-layer errors, all PortalErrors with stable codes. None carries credentials, captcha
// answers or the portal's page text: only the portal id, a classified reason and field names.
import { PortalError } from '@engine/core';

export type LoginFailureReason = 'wrong-captcha' | 'rejected' | 'locked' | 'no-session';

export class LoginFailedError extends PortalError {
  constructor(
    readonly portal: string,
    readonly reason: LoginFailureReason,
  ) {
    super(reason === 'wrong-captcha' ? 'CAPTCHA_REJECTED' : 'LOGIN_FAILED', `portal ${portal}: login failed (${reason})`, {
      details: { portal, reason },
    });
  }
}

/** The portal refused a form step; `fields` maps the portal's field names to its messages. */
export class FormRejectedError extends PortalError {
  constructor(
    readonly portal: string,
    readonly step: string,
    readonly fields: Record<string, string>,
  ) {
    super('FORM_REJECTED', `portal ${portal}: step ${step} rejected (${Object.keys(fields).join(', ') || 'no field named'})`, {
      details: { portal, step, fields },
    });
  }
}

/** The page is not where the adapter expected it (a changed portal, an error page). */
export class UnexpectedPageError extends PortalError {
  constructor(
    readonly portal: string,
    readonly step: string,
    readonly path: string,
    readonly status?: number,
  ) {
    super('UNEXPECTED_PAGE', `portal ${portal}: step ${step} ended on ${path}${status ? ` (HTTP ${status})` : ''}`, {
      details: { portal, step, path, status },
    });
  }
}

/** The submit click was sent but no reference came back: the submission may or may not exist. */
export class SubmissionInDoubtError extends PortalError {
  constructor(
    readonly portal: string,
    reason: string,
    cause?: unknown,
  ) {
    super('SUBMISSION_IN_DOUBT', `portal ${portal}: submission outcome unknown (${reason})`, { cause, details: { portal, reason } });
  }
}

export class CaptchaUnsolvableError extends PortalError {
  constructor(readonly portal: string, reason: string) {
    super('CAPTCHA_UNSOLVABLE', `portal ${portal}: captcha cannot be solved (${reason})`, { details: { portal, reason } });
  }
}

export class AdapterLoadError extends PortalError {
  constructor(
    readonly path: string,
    reason: string,
    cause?: unknown,
  ) {
    super('ADAPTER_INVALID', `portal adapter module ${path}: ${reason}`, { cause, details: { path, reason } });
  }
}
