// Pure questions about a stored job state (an event's `stateAfter`, or ActorHost.getState),
// for the scheduler and the API layer. They read value and context only, so they work on the
// store's JSON without restoring an XState snapshot.
import type { JobContext, JobFailure } from './job.config';

/** What the store holds per job; ActorState fits. */
export interface StoredJobState {
  value: unknown;
  context: unknown;
}

export type JobStateName =
  | 'pending'
  | 'cloning'
  | 'validating'
  | 'filling'
  | 'submitting'
  | 'in_doubt'
  | 'reconciling'
  | 'capturing_artifact'
  | 'failed_login_form'
  | 'waiting'
  | 'submitted'
  | 'failed_post_submission'
  | 'needs_review'
  | 'cancelled'
  | 'failed';

/** States a CANCEL is accepted in: no submission has been started in the current attempt. */
export const JOB_CANCELLABLE_STATES: readonly JobStateName[] = ['pending', 'waiting', 'failed_login_form', 'cloning', 'validating', 'filling'];

/** From the commit point `submit.started` until the submission's fate is known. */
export const JOB_SUBMIT_STARTED_STATES: readonly JobStateName[] = ['submitting', 'in_doubt', 'reconciling', 'capturing_artifact'];

export const JOB_FINAL_STATES: readonly JobStateName[] = ['submitted', 'failed_post_submission', 'needs_review', 'cancelled', 'failed'];

/** The scheduler may START it (the machine's `runnable` tag, readable from stored JSON). */
export function isJobRunnable(state: StoredJobState): boolean {
  return state.value === 'pending';
}

export function lastJobFailure(state: StoredJobState): JobFailure | null {
  const failures = (state.context as JobContext).failures;
  return failures[failures.length - 1] ?? null;
}

export interface CancelRefusal {
  code: 'SUBMIT_STARTED' | 'JOB_FINISHED';
  message: string;
}

/**
 * Why CANCEL is refused in this state, or null when it is accepted. Agrees with the machine:
 * the host's `send` throws InvalidCommandError exactly when this is not null.
 */
export function cancelRefusalReason(state: StoredJobState): CancelRefusal | null {
  const value = state.value as JobStateName;
  if (JOB_CANCELLABLE_STATES.includes(value)) return null;
  if (JOB_SUBMIT_STARTED_STATES.includes(value)) {
    return {
      code: 'SUBMIT_STARTED',
      message: `submit.started is recorded (job is ${value}): the portal may hold the submission, so the job is finished or reconciled, never cancelled`,
    };
  }
  return { code: 'JOB_FINISHED', message: `job is already ${value}` };
}

/**
 * Whether starting the job over (a later POST /retry: a new job with the same input) cannot
 * produce a duplicate submission. Only for jobs that ended without a reference, and only when
 * the portal cannot hold a submission of this job: no attempt ever reached `submitting`, or
 * the last portal search (every exit from `submitting` other than SUBMITTED goes through one)
 * confirmed `not_found`.
 * - failed: safe by that rule (clone, validation, form, portal, login-form and interruption
 *   failures; a post-submission error never leads to `failed`).
 * - failed_post_submission: never (an error page after the click; the design forbids automatic
 *   retries, and a search that finds nothing right after an error proves too little).
 * - needs_review: the search was impossible, so never safe as the machine stands today; the
 *   rule is written on the facts so it stays right if needs_review gains other ways in.
 * - submitted, cancelled and live states: no.
 */
export function retryIsSafe(state: StoredJobState): boolean {
  if (state.value !== 'failed' && state.value !== 'needs_review') return false;
  const context = state.context as JobContext;
  return context.submitsStarted === 0 || context.lookup === 'not_found';
}
