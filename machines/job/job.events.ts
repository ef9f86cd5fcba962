// Events of the job machine: commands from the API and the scheduler, the outcomes of its
// effects (reported by the effects layer with the effect's id), the interruptions recorded
// for effects found unanswered at start-up, and the host's durable timers. Every `at` is an
// ISO time taken from the injected Clock by whoever sends the event: the machine reads no clock.
// Failure events carry a short `code` and an artifact reference, never an error message.
// Type aliases, not interfaces: the host takes events as records of payload fields (EngineEvent).

// Commands
/** The scheduler claims a runnable job and starts an attempt. */
export type StartJob = {
  type: 'START';
  at: string;
  /**
   * The portal account the attempt runs on, and its master session's stream, when the portal
   * lists accounts (recorded since machine version 2; absent for a portal with one credentials
   * reference and in older logs: the attempt then uses `master-<portal>`).
   */
  account?: string;
  masterSession?: string;
};

/** Accepted until `submitting` is entered; refused after (the machine says why: jobRefusal). */
export type CancelJob = {
  type: 'CANCEL';
  reason: string;
  at: string;
  /** Who cancelled (`api`, `inspector`); recorded with the event only, the context keeps the reason. Absent in older logs. */
  by?: string;
};

/**
 * The portal's master session is logged in again after this job met the login form (it became
 * healthy after the job's failure): retry now instead of at the fallback timer. Sent by the
 * scheduler, which watches both. Recorded since machine version 2.
 */
export type SessionReady = {
  type: 'SESSION_READY';
  at: string;
};

// Outcomes of cloneSession
export type SessionCloned = {
  type: 'CLONED';
  at: string;
};

export type CloneFailed = {
  type: 'CLONE_FAILED';
  code: string;
  artifactRef?: string | null;
  at: string;
};

// Outcomes of validateSession (the portal probe) and fillStep
export type SessionValid = {
  type: 'SESSION_VALID';
  at: string;
  /**
   * `first-step`: not probed separately; the first step's navigation is the check (its adapter
   * reports the login page as SESSION_EXPIRED → LOGIN_FORM_SEEN). Absent: a probe navigation.
   */
  checkedBy?: 'first-step';
};

/** The portal showed its login form: the cloned session is not logged in any more. */
export type LoginFormSeen = {
  type: 'LOGIN_FORM_SEEN';
  artifactRef?: string | null;
  at: string;
};

/** The probe saw neither the logged-in page nor the login form (maintenance page, error page). */
export type PageUnrecognised = {
  type: 'PAGE_UNRECOGNISED';
  code: string;
  artifactRef?: string | null;
  at: string;
};

export type StepFilled = {
  type: 'STEP_FILLED';
  step: string;
  at: string;
};

/** The portal refused the data at this step (server-side validation): final, a retry would be refused again. */
export type StepRejected = {
  type: 'STEP_REJECTED';
  step: string;
  code: string;
  artifactRef?: string | null;
  at: string;
};

/** The portal failed at this step (5xx, timeout): retryable, nothing was submitted. */
export type StepFailed = {
  type: 'STEP_FAILED';
  step: string;
  code: string;
  artifactRef?: string | null;
  at: string;
};

// Outcomes of submitForm
export type FormSubmitted = {
  type: 'SUBMITTED';
  reference: string;
  at: string;
};

/** Any error after the click: the submission may have happened, so the job reconciles. */
export type SubmitFailed = {
  type: 'SUBMIT_FAILED';
  code: string;
  artifactRef?: string | null;
  at: string;
};

// Outcomes of findSubmission (reconciliation by business key)
export type SubmissionFound = {
  type: 'SUBMISSION_FOUND';
  reference: string;
  at: string;
};

export type SubmissionNotFound = {
  type: 'SUBMISSION_NOT_FOUND';
  at: string;
  /**
   * The portal's adapter declares its search authoritative (after its settle delay, in a valid
   * session): "not found" proves the portal holds nothing. Absent in older logs.
   */
  authoritative?: true;
};

/** The portal could not be searched: nobody can tell whether the submission happened. */
export type LookupFailed = {
  type: 'LOOKUP_FAILED';
  code: string;
  at: string;
};

// Outcomes of captureArtifact and reportSessionFailure
export type ArtifactCaptured = {
  type: 'ARTIFACT_CAPTURED';
  artifactRef: string;
  at: string;
};

export type SessionFailureReported = {
  type: 'SESSION_FAILURE_REPORTED';
  at: string;
};

/** Reported by the host when an effect handler threw instead of answering; only `error.code` is kept in context. */
export type JobEffectFailed = {
  type: 'EFFECT_FAILED';
  effect: string;
  error: { code: string; message: string };
};

// Interruptions (see JOB_INTERRUPTED_EVENTS)
/** A crash cut short cloneSession, validateSession or fillStep: nothing was submitted, the attempt counts. */
export type AttemptInterrupted = {
  type: 'INTERRUPTED';
  at: string;
};

/** A crash cut short submitForm: the click may or may not have reached the portal. */
export type SubmitInterrupted = {
  type: 'SUBMIT_INTERRUPTED';
  at: string;
};

// Durable timers
export type RetryTimerFired = {
  type: 'TIMER.retry';
};

export type ReconcileTimerFired = {
  type: 'TIMER.reconcile';
};

export type JobEvent =
  | StartJob
  | CancelJob
  | SessionReady
  | SessionCloned
  | CloneFailed
  | SessionValid
  | LoginFormSeen
  | PageUnrecognised
  | StepFilled
  | StepRejected
  | StepFailed
  | FormSubmitted
  | SubmitFailed
  | SubmissionFound
  | SubmissionNotFound
  | LookupFailed
  | ArtifactCaptured
  | SessionFailureReported
  | JobEffectFailed
  | AttemptInterrupted
  | SubmitInterrupted
  | RetryTimerFired
  | ReconcileTimerFired;
