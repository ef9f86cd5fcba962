// The errors an adapter throws, each with a stable `code` the engine branches on. The engine
// reads `code` (see `errorCode`), never the class identity: an adapter compiled in another
// project carries its own copy of this package, whose classes are not the engine's.
// None carries credentials, captcha answers or a portal's page text.
export type ErrorDetails = Record<string, unknown>;

export class EngineError extends Error {
  readonly code: string;
  readonly details: ErrorDetails;

  constructor(code: string, message: string, options: { cause?: unknown; details?: ErrorDetails } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.details = options.details ?? {};
  }
}

/** The code of an error from this package or any copy of it; undefined for anything else. */
export function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return error instanceof Error && typeof code === 'string' && /^[A-Z][A-Z0-9_]*$/.test(code) ? code : undefined;
}

export class TimeoutError extends EngineError {
  constructor(operation: string, readonly timeoutMs: number) {
    super('TIMEOUT', `${operation} timed out after ${timeoutMs} ms`, { details: { operation, timeoutMs } });
  }
}

export class AbortedError extends EngineError {
  constructor(operation: string, reason?: unknown) {
    super('ABORTED', `${operation} aborted${reason instanceof Error ? `: ${reason.message}` : typeof reason === 'string' ? `: ${reason}` : ''}`, {
      cause: reason,
      details: { operation },
    });
  }
}

/** The portal sent the page to its login form: the session behind it is gone. */
export class SessionExpiredError extends EngineError {
  constructor(portal: string, evidence: string) {
    super('SESSION_EXPIRED', `portal ${portal}: session expired (${evidence})`, { details: { portal, evidence } });
  }
}

export class PortalError extends EngineError {
  constructor(code: string, message: string, options: { cause?: unknown; details?: ErrorDetails } = {}) {
    super(code, message, options);
  }
}

export class BrowserError extends EngineError {
  constructor(code: string, message: string, options: { cause?: unknown; details?: ErrorDetails } = {}) {
    super(code, message, options);
  }
}

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
