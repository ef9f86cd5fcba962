// Pure questions about a stored job state (an event's `stateAfter`, or the read feed's state),
// for the scheduler and the API layer. They read value and context only, so they work on the
// store's JSON without restoring an XState snapshot. The state names and what each state means
// to other layers (its tags) come from the machine definition: nothing here lists states.
import type { StateValueFrom } from 'xstate';
import type { JobContext, JobFailure } from './job.config';
import { jobMachine, type JobTag } from './job.machine';
import { masterSessionStream } from '../master-session/master-session.names';

/** What the store holds per job; the read feed's typed job state fits. */
export interface StoredJobState {
  value: unknown;
  context: JobContext;
}

export type JobStateName = StateValueFrom<typeof jobMachine>;

/** Every state of the job machine, in the order the machine declares them. */
export const JOB_STATES = Object.keys(jobMachine.states) as JobStateName[];

const TAGS = new Map<string, ReadonlySet<string>>(Object.entries(jobMachine.states).map(([name, node]) => [name, new Set(node.tags)]));
const FINAL = new Set(Object.entries(jobMachine.states).filter(([, node]) => node.type === 'final').map(([name]) => name));

/** Whether the stored state's state node carries `tag` (see JobTag in job.machine.ts). */
export function jobHasTag(state: Pick<StoredJobState, 'value'>, tag: JobTag): boolean {
  return TAGS.get(String(state.value))?.has(tag) ?? false;
}

/** A final state: the job will never move again. */
export function isJobFinal(state: Pick<StoredJobState, 'value'>): boolean {
  return FINAL.has(String(state.value));
}

/** The scheduler may START it (the machine's `runnable` tag, readable from stored JSON). */
export function isJobRunnable(state: Pick<StoredJobState, 'value'>): boolean {
  return jobHasTag(state, 'runnable');
}

export function lastJobFailure(state: Pick<StoredJobState, 'context'>): JobFailure | null {
  const failures = state.context.failures;
  return failures[failures.length - 1] ?? null;
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
  const context = state.context;
  return context.submitsStarted === 0 || context.lookup === 'not_found';
}

/**
 * Why starting the job over (a new job linked by `retryOf`) is refused now, or null. A finished
 * job's own log is never reopened: its final state cannot be left without breaking the replay of
 * stored logs. A needs_review job (nobody could tell whether the portal holds the submission) is
 * started over only when a person checked the portal and confirms it holds none.
 */
export function retryRefusal(state: StoredJobState, options: { confirmedNotSubmitted?: boolean } = {}): string | null {
  if (retryIsSafe(state)) return null;
  if (state.value === 'needs_review') {
    return options.confirmedNotSubmitted
      ? null
      : 'nobody could tell whether the portal holds this submission (its lookup was impossible): check the portal, then resubmit confirming it holds none';
  }
  return 'a retry is only safe for a failed job the portal cannot hold (never after submit.started unless a lookup found nothing)';
}

/** The master session stream the job's current attempt runs on: its account's, or `master-<portal>`. */
export function attemptSession(context: Pick<JobContext, 'portal' | 'masterSession'>): string {
  return context.masterSession ?? masterSessionStream(context.portal);
}

/** The master session stream a search for the job's submission goes through: the one that clicked. */
export function submitSession(context: Pick<JobContext, 'portal' | 'masterSession' | 'submittedVia'>): string {
  return context.submittedVia?.masterSession ?? attemptSession(context);
}
