// The effects the job machine asks the host to run, with their params, and what the effects
// layer must do with each one found started-but-unanswered at start-up (its `onInterrupted`).
// Params hold ids and names only: the handler reads the payload from the job's state and
// resolves credentials itself.
import type { AttemptInterrupted, SubmitInterrupted } from './job.events';

export interface CloneSessionParams {
  jobId: string;
  portal: string;
  attempt: number;
}

export interface ValidateSessionParams {
  jobId: string;
  portal: string;
  attempt: number;
}

export interface FillStepParams {
  jobId: string;
  attempt: number;
  step: string;
}

export interface SubmitFormParams {
  jobId: string;
  portal: string;
  attempt: number;
  businessKey: string;
}

export interface FindSubmissionParams {
  portal: string;
  businessKey: string;
}

export interface CaptureArtifactParams {
  jobId: string;
  attempt: number;
  kind: 'screenshot';
  stage: 'submitting';
}

export interface ReportSessionFailureParams {
  portal: string;
  jobId: string;
  /** A reason code for the master session, e.g. `login_form`. */
  reason: 'login_form';
}

export interface CloseCloneParams {
  jobId: string;
  attempt: number;
}

export interface JobEffectParams {
  cloneSession: CloneSessionParams;
  validateSession: ValidateSessionParams;
  fillStep: FillStepParams;
  submitForm: SubmitFormParams;
  findSubmission: FindSubmissionParams;
  captureArtifact: CaptureArtifactParams;
  reportSessionFailure: ReportSessionFailureParams;
  closeClone: CloseCloneParams;
}

export type JobEffectName = keyof JobEffectParams;

/**
 * Closing a clone reports nothing back: an attempt has already ended when it runs. A crash
 * before it ran leaves an orphan clone, which the browser layer removes at start (issue 7, item 6).
 */
export const JOB_FIRE_AND_FORGET: readonly JobEffectName[] = ['closeClone'];

/**
 * The event the effects layer records (from its `onInterrupted`) for an effect of a job that
 * was started before a crash and never answered. Nothing was submitted before `submitForm`,
 * so those attempts end and the job goes back to `pending`; a cut-short `submitForm` may
 * have clicked, so it becomes `in_doubt` and is reconciled, never re-run.
 * Every other tracked effect is idempotent and keeps the host's default, `rerun`:
 * findSubmission (a search), captureArtifact (fails fast when the clone died with the
 * process; the job still ends in failed_post_submission), reportSessionFailure (the master
 * session joins a recovery in progress).
 */
export const JOB_INTERRUPTED_EVENTS = {
  cloneSession: 'INTERRUPTED',
  validateSession: 'INTERRUPTED',
  fillStep: 'INTERRUPTED',
  submitForm: 'SUBMIT_INTERRUPTED',
} as const satisfies Partial<Record<JobEffectName, (AttemptInterrupted | SubmitInterrupted)['type']>>;

/** The event to record for an interrupted effect, or null when the effect is simply re-run. */
export function jobInterruptedEvent(effect: string, at: string): AttemptInterrupted | SubmitInterrupted | null {
  const type = (JOB_INTERRUPTED_EVENTS as Record<string, 'INTERRUPTED' | 'SUBMIT_INTERRUPTED'>)[effect];
  return type ? { type, at } : null;
}
