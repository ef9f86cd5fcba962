// The job machine's input (what intake hands to the host when it creates `job-<id>`), the
// defaults it fills in, and the context every recorded event carries as its stateAfter.
// Everything here is JSON: no secrets (the portal's credentials are resolved by the effects
// layer from the portal's own configuration, never carried by a job).

/**
 * Where a job started over came from: the job it retries, who asked, and whether that person
 * confirmed the portal holds no submission of it (required to start a needs_review job over).
 * Only on jobs made by a retry: the context of every other job has no such key, so stored logs
 * replay to the same states.
 */
export interface JobRetryOrigin {
  jobId: string;
  by: string;
  confirmedNotSubmitted: boolean;
}

export interface JobInput {
  jobId: string;
  portal: string;
  /** The form data, step by step. Not secret: it is recorded with every event. */
  payload: Record<string, unknown>;
  /** What the portal's search finds a submission by: the key of reconciliation. */
  businessKey: string;
  externalId?: string | null;
  /** ISO time intake accepted the job (the Clock's): FIFO order and the API's timestamps. */
  createdAt?: string | null;
  /** The portal adapter's named form steps, filled one effect each so the log shows the stage per step. */
  steps: string[];
  maxAttempts?: number;
  /** Durable wait before a retryable failure is retried with a fresh clone. */
  retryDelayMs?: number;
  /** Durable wait in `in_doubt` before the portal is searched (lets a slow portal index the submission). */
  reconcileDelayMs?: number;
  /** Set only on a job made by a retry (see JobRetryOrigin). */
  retryOf?: JobRetryOrigin;
  /**
   * Since machine version 2: a retryable failure waits min·2^(n-1) (at most max, jittered into its
   * upper half) before attempt n+1, instead of the fixed `retryDelayMs`. A login-form failure does
   * not wait for it: the job retries as soon as the master session is logged in again.
   */
  retryBackoff?: RetryBackoff;
  /**
   * Since machine version 2: a portal search that fails (a timeout, a page the adapter did not
   * expect) is tried again this many times, with backoff, before the job goes to `needs_review`.
   */
  lookupRetries?: LookupRetries;
  /**
   * Since machine version 2: a click that landed on the login page (the session was gone, the
   * portal took nothing) is followed, once the search confirms no submission, by a fresh attempt
   * after the session's recovery, instead of ending failed_post_submission.
   */
  retryWhenLoggedOutAtSubmit?: boolean;
  /**
   * Attempts that ended at the login form (the shared session had expired) that do not count
   * against `maxAttempts`, at most this many: a session that keeps failing is the master
   * session's problem, not the job's. Absent: every attempt counts, as before.
   */
  freeLoginFormAttempts?: number;
}

export interface RetryBackoff {
  minMs: number;
  maxMs: number;
}

export interface LookupRetries {
  max: number;
  minMs: number;
  maxMs: number;
}

export const JOB_DEFAULTS = { maxAttempts: 3, retryDelayMs: 60_000, reconcileDelayMs: 0 } as const;

/** Attempts ended at the login form that intake lets a new job have on top of maxAttempts. */
export const FREE_LOGIN_FORM_ATTEMPTS = 10;

/**
 * Attempts that count against maxAttempts: every attempt started, less those that ended at the
 * login form, up to the job's free allowance (none for jobs recorded without one).
 */
export function countedAttempts(context: { attempt: number; failures: readonly { failureType: string }[]; freeLoginFormAttempts?: number }): number {
  const free = context.freeLoginFormAttempts ?? 0;
  if (free === 0) return context.attempt;
  const atLoginForm = context.failures.filter((failure) => failure.failureType === 'login_form').length;
  return context.attempt - Math.min(free, atLoginForm);
}

/**
 * The retry policy intake gives new jobs when none is configured, scaled to `retryDelayMs` (the
 * longest wait): attempts wait from 2 s (or less when the delay is shorter), doubling up to it;
 * a failed search is tried 3 more times, from 5 s up to it, before a human is asked.
 */
export function defaultRetryPolicy(retryDelayMs: number): { retryBackoff: RetryBackoff; lookupRetries: LookupRetries } {
  const maxMs = Math.max(1, retryDelayMs);
  return {
    retryBackoff: { minMs: Math.min(2_000, maxMs), maxMs },
    lookupRetries: { max: 3, minMs: Math.min(5_000, maxMs), maxMs },
  };
}

/** Where in an attempt the job is, or was when it failed. */
export type JobStage = 'pending' | 'cloning' | 'validating' | 'filling' | 'submitting' | 'reconciling';

/**
 * Why an attempt or the job ended badly.
 * Retryable (a fresh clone may succeed): clone, validation, portal_error, login_form, interrupted.
 * Final: form_rejected (the portal refused the data), post_submission (never retried
 * automatically), lookup_failed (needs a human), cancelled.
 */
export const JOB_FAILURE_TYPES = ['login_form', 'post_submission', 'clone', 'validation', 'form_rejected', 'portal_error', 'interrupted', 'lookup_failed', 'cancelled'] as const;
export type JobFailureType = (typeof JOB_FAILURE_TYPES)[number];

export const JOB_RETRYABLE_FAILURES: readonly JobFailureType[] = ['clone', 'validation', 'portal_error', 'login_form', 'interrupted'];

export interface JobFailure {
  failureType: JobFailureType;
  stage: JobStage;
  /** The form step being filled, when the stage is `filling`. */
  step: string | null;
  attempt: number;
  /** A short machine-readable code (e.g. `HTTP_503`), never an error message: messages can carry secrets. */
  code: string;
  artifactRef: string | null;
  at: string | null;
}

/** The outcome of the last portal search by business key. */
export type JobLookupResult = 'found' | 'not_found' | 'impossible';

export interface JobContext {
  jobId: string;
  portal: string;
  payload: Record<string, unknown>;
  businessKey: string;
  externalId: string | null;
  createdAt: string | null;
  steps: string[];
  maxAttempts: number;
  retryDelayMs: number;
  reconcileDelayMs: number;
  /** Attempts started so far; START counts one, and so does an attempt cut short by a crash. */
  attempt: number;
  stage: JobStage;
  /** Steps filled in the current attempt, in order; the next one to fill is `steps[stepsFilled.length]`. */
  stepsFilled: string[];
  /** How often `submitting` was entered: after the first, a retry is safe only once a lookup confirmed `not_found`. */
  submitsStarted: number;
  submitStartedAt: string | null;
  /** Why the job is reconciling: an error reported after the click, or a crash during it. */
  reconcileReason: 'submit_error' | 'interrupted' | null;
  lookup: JobLookupResult | null;
  reference: string | null;
  /** Every failure, oldest first: the job's history of attempts. */
  failures: JobFailure[];
  artifacts: string[];
  cancelReason: string | null;
  // Since version 2, present only when the input set them: a version-1 context has none of these
  // keys, so its log replays to identical states.
  retryBackoff?: RetryBackoff;
  lookupRetries?: LookupRetries;
  retryWhenLoggedOutAtSubmit?: boolean;
  freeLoginFormAttempts?: number;
  /** Failed searches of the current reconciliation (with `lookupRetries`). */
  lookupsFailed?: number;
  lastLookupCode?: string;
  /** Present only on a job made by a retry. */
  retryOf?: JobRetryOrigin;
  /** The account of the current attempt and its master session's stream (a START that named one). */
  account?: string;
  masterSession?: string;
  /** The account, and its session, of the last click: a lookup searches through the account that submitted. */
  submittedVia?: { account: string; masterSession: string };
}

/** The context a new job starts with. */
export function initialJobContext(input: JobInput): JobContext {
  return {
    jobId: input.jobId,
    portal: input.portal,
    payload: input.payload,
    businessKey: input.businessKey,
    externalId: input.externalId ?? null,
    createdAt: input.createdAt ?? null,
    steps: [...input.steps],
    maxAttempts: input.maxAttempts ?? JOB_DEFAULTS.maxAttempts,
    retryDelayMs: input.retryDelayMs ?? JOB_DEFAULTS.retryDelayMs,
    reconcileDelayMs: input.reconcileDelayMs ?? JOB_DEFAULTS.reconcileDelayMs,
    attempt: 0,
    stage: 'pending',
    stepsFilled: [],
    submitsStarted: 0,
    submitStartedAt: null,
    reconcileReason: null,
    lookup: null,
    reference: null,
    failures: [],
    artifacts: [],
    cancelReason: null,
    ...(input.retryBackoff ? { retryBackoff: { ...input.retryBackoff } } : {}),
    ...(input.lookupRetries ? { lookupRetries: { ...input.lookupRetries } } : {}),
    ...(input.retryWhenLoggedOutAtSubmit === true ? { retryWhenLoggedOutAtSubmit: true } : {}),
    ...(input.freeLoginFormAttempts ? { freeLoginFormAttempts: input.freeLoginFormAttempts } : {}),
    // No key at all for other jobs: their stored states have none.
    ...(input.retryOf ? { retryOf: { jobId: input.retryOf.jobId, by: input.retryOf.by, confirmedNotSubmitted: input.retryOf.confirmedNotSubmitted } } : {}),
  };
}

/**
 * What is wrong with an input, field by field (empty when it is usable), for intake to refuse
 * with a ValidationError before anything is appended: the machine itself cannot refuse its
 * input, and e.g. maxAttempts 0 would leave a job pending forever.
 */
export function jobInputProblems(input: JobInput): Record<string, string> {
  const problems: Record<string, string> = {};
  const text = (field: 'jobId' | 'portal' | 'businessKey') => {
    if (typeof input[field] !== 'string' || input[field].trim() === '') problems[field] = 'must be a non-empty string';
  };
  text('jobId');
  text('portal');
  text('businessKey');
  if (typeof input.payload !== 'object' || input.payload === null || Array.isArray(input.payload)) problems.payload = 'must be an object';
  if (!Array.isArray(input.steps) || input.steps.some((s) => typeof s !== 'string' || s === '')) {
    problems.steps = 'must be a list of step names';
  } else if (new Set(input.steps).size !== input.steps.length) {
    // The log records the stage by step name: a repeated name would make it ambiguous.
    problems.steps = 'step names must be unique';
  }
  const integer = (field: 'maxAttempts' | 'retryDelayMs' | 'reconcileDelayMs', min: number) => {
    const value = input[field];
    if (value !== undefined && (!Number.isInteger(value) || value < min)) problems[field] = `must be an integer >= ${min}`;
  };
  integer('maxAttempts', 1);
  integer('retryDelayMs', 0);
  integer('reconcileDelayMs', 0);
  const range = (field: 'retryBackoff' | 'lookupRetries', value: { minMs: number; maxMs: number } | undefined) => {
    if (value === undefined) return;
    if (!Number.isInteger(value.minMs) || value.minMs < 1 || !Number.isInteger(value.maxMs) || value.maxMs < value.minMs) {
      problems[field] = 'minMs must be an integer >= 1 and maxMs an integer >= minMs';
    }
  };
  range('retryBackoff', input.retryBackoff);
  range('lookupRetries', input.lookupRetries);
  if (input.lookupRetries && (!Number.isInteger(input.lookupRetries.max) || input.lookupRetries.max < 0)) problems.lookupRetries = 'max must be an integer >= 0';
  const free = input.freeLoginFormAttempts;
  if (free !== undefined && (!Number.isInteger(free) || free < 0 || free > 100)) problems.freeLoginFormAttempts = 'must be an integer 0..100';
  const origin = input.retryOf;
  if (origin !== undefined && (typeof origin !== 'object' || origin === null || typeof origin.jobId !== 'string' || origin.jobId === '' || typeof origin.by !== 'string' || origin.by === '' || typeof origin.confirmedNotSubmitted !== 'boolean')) {
    problems.retryOf = 'must name the job retried, who asked and whether the portal was checked';
  }
  return problems;
}
