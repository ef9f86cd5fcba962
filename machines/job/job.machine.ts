// The job: one portal submission, attempted with a fresh clone of the master session until it
// is submitted exactly once or fails for good. Pure: every effect is a named action the host
// runs after the transition that emits it is appended, and its outcome comes back as an event.
//
// Exactly once: the transition into `submitting` (the last STEP_FILLED, or SESSION_VALID for a
// form without steps) is the commit point `submit.started`; `submitForm` is one of its actions,
// so the host runs the click only after that fact is durable. From there on nothing retries
// blindly: an error is reconciled by searching the portal, a crash becomes `in_doubt`, and
// CANCEL is refused.
//
// Clones: every transition that ends an attempt (success, failure, cancel, interruption)
// emits closeClone once; in_doubt/reconciling still belong to the submitting attempt.
//
// Version 2 (additive: a version-1 log replays unchanged, see fixtures/ and job.versions.spec.ts):
// a job that met the login form retries as soon as its master session is logged in again
// (SESSION_READY) instead of at the fixed delay; with `retryBackoff` in its input the waits
// between attempts grow exponentially with jitter; with `lookupRetries` a failed portal search
// is tried again with backoff before the job goes to `needs_review`.
import { and, assign, setup, type SnapshotFrom } from 'xstate';
import type { MachineDefinition } from '@engine/core';
import { backoffWithJitterMs } from '../backoff';
import { countedAttempts, initialJobContext, type JobFailureType, type JobContext, type JobFailure, type JobInput, type JobStage, type JobLookupResult } from './job.config';
import { JOB_FIRE_AND_FORGET, type JobEffectName, type JobEffectParams } from './job.effects';
import type { JobEvent } from './job.events';

/**
 * Tags carry what other layers ask of a state, so no list of state names exists outside this file:
 * `runnable` (the scheduler may START it), `attempt` (an attempt holds a slot: a clone, the
 * portal's attention), `interruptible` (a graceful stop may cut it: nothing was clicked yet),
 * `submitStarted` (from the commit point until the submission's fate is known), `awaitingSession`
 * (met the login form: retried when the master session is logged in again, SESSION_READY).
 */
export type JobTag = 'runnable' | 'attempt' | 'interruptible' | 'submitStarted' | 'awaitingSession';

/** Codes come from effect handlers; anything that does not look like a code is replaced, so no message text lands in the log. */
function shortCode(raw: unknown): string {
  return typeof raw === 'string' && /^[A-Za-z0-9_.:-]{1,64}$/.test(raw) ? raw : 'UNCLASSIFIED';
}

const DEFAULT_CODES: Partial<Record<JobFailureType, string>> = { login_form: 'LOGIN_FORM', interrupted: 'INTERRUPTED', cancelled: 'CANCELLED' };

function failureFrom(context: JobContext, event: JobEvent, failureType: JobFailureType): JobFailure {
  const code =
    event.type === 'EFFECT_FAILED' ? event.error.code : 'code' in event ? event.code : (DEFAULT_CODES[failureType] ?? failureType.toUpperCase());
  return {
    failureType,
    stage: context.stage,
    step: context.stage === 'filling' ? (context.steps[context.stepsFilled.length] ?? null) : null,
    attempt: context.attempt,
    code: shortCode(code),
    artifactRef: 'artifactRef' in event ? (event.artifactRef ?? null) : null,
    at: 'at' in event ? event.at : null,
  };
}

const CANCEL_REASON_MAX = 200;

/** A no-op stand-in: the host runs the effect of this name after the append. */
function effect<K extends JobEffectName>() {
  return (_: unknown, _params: JobEffectParams[K]) => undefined;
}

/** Ends the current attempt's clone; emitted on every transition out of an attempt. */
const closeAttemptClone = {
  type: 'closeClone',
  params: ({ context }: { context: JobContext }): JobEffectParams['closeClone'] => ({ jobId: context.jobId, attempt: context.attempt }),
} as const;

const reportLoginForm = {
  type: 'reportSessionFailure',
  params: ({ context }: { context: JobContext }): JobEffectParams['reportSessionFailure'] => ({
    portal: context.portal,
    jobId: context.jobId,
    reason: 'login_form',
  }),
} as const;

const recordFailure = (failureType: JobFailureType) => ({ type: 'recordFailure', params: { failureType } }) as const;

/**
 * A failure a fresh clone may cure: wait and retry while attempts are left, else `failed`.
 * With `effect`, the transition answers only that effect's EFFECT_FAILED (a late failure of
 * another effect must not end this stage).
 */
function retryableTransitions(failureType: JobFailureType, effect?: JobEffectName) {
  const own = effect ? ({ type: 'effectIs', params: { effect } } as const) : undefined;
  return [
    { guard: own ? and([own, 'attemptsLeft']) : 'attemptsLeft', target: 'waiting', actions: [recordFailure(failureType), closeAttemptClone] },
    { guard: own, target: 'failed', actions: [recordFailure(failureType), closeAttemptClone] },
  ] as const;
}

/** The clone is logged out: tell the master session, and retry after its recovery while attempts are left. */
function loginFormTransitions() {
  return [
    { guard: 'attemptsLeft', target: 'failed_login_form', actions: [recordFailure('login_form'), reportLoginForm, closeAttemptClone] },
    { target: 'failed', actions: [recordFailure('login_form'), reportLoginForm, closeAttemptClone] },
  ] as const;
}

/** A crash before the click: nothing reached the portal, so back to pending; the attempt counts. */
function interruptedTransitions() {
  return [
    { guard: 'attemptsLeft', target: 'pending', actions: [recordFailure('interrupted'), closeAttemptClone] },
    { target: 'failed', actions: [recordFailure('interrupted'), closeAttemptClone] },
  ] as const;
}

/**
 * What every stage of an attempt before the click shares: its tags, the stage it records, the
 * one effect it runs, and three ways out — that effect throwing (retryable as `failureType`),
 * a crash (INTERRUPTED), and CANCEL (the attempt's clone is closed).
 */
function attemptStage<const TEntry, TEffect extends 'cloneSession' | 'validateSession' | 'fillStep'>(stage: JobStage, run: TEntry & { type: TEffect }, failureType: JobFailureType) {
  return {
    tags: ['attempt', 'interruptible'],
    entry: [{ type: 'enterStage', params: { stage } }, run],
    on: {
      EFFECT_FAILED: retryableTransitions(failureType, run.type),
      INTERRUPTED: interruptedTransitions(),
      CANCEL: { target: 'cancelled', actions: ['recordCancel', closeAttemptClone] },
    },
  } as const;
}

/** The wait before the next attempt: exponential with jitter when the input asked for it (version 2), else the fixed delay. */
function retryDelayMs(context: JobContext): number {
  return context.retryBackoff ? backoffWithJitterMs(context.retryBackoff, context.attempt, context.jobId) : context.retryDelayMs;
}

/** A durable wait in `pending` stage before the next attempt; CANCEL accepted. */
function retryWait() {
  return {
    entry: [
      { type: 'enterStage', params: { stage: 'pending' } },
      { type: 'scheduleTimer', params: ({ context }: { context: JobContext }) => ({ name: 'retry' as const, delayMs: retryDelayMs(context) }) },
    ],
    on: {
      'TIMER.retry': 'pending',
      CANCEL: { target: 'cancelled', actions: 'recordCancel' },
    },
  } as const;
}

/** The master session was healed after the job met the login form: no reason to wait for the timer. */
const loginFormWait = (() => {
  const wait = retryWait();
  return {
    ...wait,
    tags: ['awaitingSession'],
    entry: [
      { type: 'enterStage', params: { stage: 'pending' } },
      // The fallback when no SESSION_READY comes: the fixed delay, as in version 1.
      { type: 'scheduleTimer', params: ({ context }: { context: JobContext }) => ({ name: 'retry' as const, delayMs: context.retryDelayMs }) },
    ],
    on: { ...wait.on, SESSION_READY: { target: 'pending', actions: { type: 'cancelTimer', params: { name: 'retry' } } } },
  } as const;
})();

const cloning = attemptStage(
  'cloning',
  { type: 'cloneSession', params: ({ context }: { context: JobContext }): JobEffectParams['cloneSession'] => ({ jobId: context.jobId, portal: context.portal, attempt: context.attempt }) },
  'clone',
);
const validating = attemptStage(
  'validating',
  { type: 'validateSession', params: ({ context }: { context: JobContext }): JobEffectParams['validateSession'] => ({ jobId: context.jobId, portal: context.portal, attempt: context.attempt }) },
  'validation',
);
const filling = attemptStage(
  'filling',
  {
    type: 'fillStep',
    params: ({ context }: { context: JobContext }): JobEffectParams['fillStep'] => ({ jobId: context.jobId, attempt: context.attempt, step: context.steps[context.stepsFilled.length] }),
  },
  'portal_error',
);

/** After the click the portal may hold the submission: record it, then look it up. */
const reconcileAfterSubmitError = [{ type: 'recordFailure', params: { failureType: 'post_submission' } }, { type: 'beginReconcile', params: { reason: 'submit_error' } }] as const;

/** A failed search is tried again, durably and with backoff, while `lookupRetries` allows (version 2). */
const retryLookup = { guard: 'lookupRetriesLeft', target: 'reconcileWaiting', actions: 'countLookupFailure' } as const;

/** Nobody can tell whether the submission happened: a human decides. */
const lookupImpossible = [
  { type: 'recordLookup', params: { result: 'impossible' } },
  { type: 'recordFailure', params: { failureType: 'lookup_failed' } },
  closeAttemptClone,
] as const;

export const jobMachine = setup({
  types: {} as { context: JobContext; events: JobEvent; input: JobInput; tags: JobTag },
  actions: {
    cloneSession: effect<'cloneSession'>(),
    validateSession: effect<'validateSession'>(),
    fillStep: effect<'fillStep'>(),
    submitForm: effect<'submitForm'>(),
    findSubmission: effect<'findSubmission'>(),
    captureArtifact: effect<'captureArtifact'>(),
    reportSessionFailure: effect<'reportSessionFailure'>(),
    closeClone: effect<'closeClone'>(),
    scheduleTimer: (_, _params: { name: 'retry' | 'reconcile'; delayMs: number }) => undefined,
    cancelTimer: (_, _params: { name: 'retry' | 'reconcile' }) => undefined,
    countLookupFailure: assign(({ context, event }) => ({
      lookupsFailed: (context.lookupsFailed ?? 0) + 1,
      lastLookupCode: shortCode(event.type === 'LOOKUP_FAILED' ? event.code : event.type === 'EFFECT_FAILED' ? event.error.code : 'UNCLASSIFIED'),
    })),

    enterStage: assign((_, params: { stage: JobStage }) => ({ stage: params.stage })),
    startAttempt: assign(({ context, event }) => ({
      attempt: context.attempt + 1,
      stepsFilled: [],
      submitStartedAt: null,
      reconcileReason: null,
      // Only a START that names an account sets these keys: older logs replay to identical states.
      ...(event.type === 'START' && event.account && event.masterSession ? { account: event.account, masterSession: event.masterSession } : {}),
    })),
    recordStepFilled: assign(({ context, event }) => ({
      stepsFilled: event.type === 'STEP_FILLED' ? [...context.stepsFilled, event.step] : context.stepsFilled,
    })),
    recordSubmitStarted: assign(({ context, event }) => ({
      submitsStarted: context.submitsStarted + 1,
      submitStartedAt: 'at' in event ? event.at : null,
      ...(context.account && context.masterSession ? { submittedVia: { account: context.account, masterSession: context.masterSession } } : {}),
    })),
    recordFailure: assign(({ context, event }, params: { failureType: JobFailureType }) => {
      const failure = failureFrom(context, event, params.failureType);
      return {
        failures: [...context.failures, failure],
        artifacts: failure.artifactRef ? [...context.artifacts, failure.artifactRef] : context.artifacts,
      };
    }),
    /** A screenshot taken after the error completes the failure that had none. */
    recordArtifact: assign(({ context, event }) => {
      if (event.type !== 'ARTIFACT_CAPTURED') return {};
      const failures = [...context.failures];
      const last = failures[failures.length - 1];
      if (last && last.artifactRef === null) failures[failures.length - 1] = { ...last, artifactRef: event.artifactRef };
      return { failures, artifacts: [...context.artifacts, event.artifactRef] };
    }),
    // A new reconciliation counts its failed searches from zero (a version-1 context has no counter).
    beginReconcile: assign(({ context }, params: { reason: 'submit_error' | 'interrupted' }) => ({
      reconcileReason: params.reason,
      ...(context.lookupRetries ? { lookupsFailed: 0 } : {}),
    })),
    recordLookup: assign((_, params: { result: JobLookupResult }) => ({ lookup: params.result })),
    recordReference: assign(({ event }) => ({ reference: event.type === 'SUBMITTED' || event.type === 'SUBMISSION_FOUND' ? event.reference : null })),
    recordCancel: assign(({ context, event }) => ({
      cancelReason: event.type === 'CANCEL' ? String(event.reason).slice(0, CANCEL_REASON_MAX) : null,
      failures: [...context.failures, failureFrom(context, event, 'cancelled')],
    })),
  },
  guards: {
    attemptsLeft: ({ context }) => countedAttempts(context) < context.maxAttempts,
    hasSteps: ({ context }) => context.steps.length > 0,
    effectIs: ({ event }, params: { effect: JobEffectName }) => event.type === 'EFFECT_FAILED' && event.effect === params.effect,
    /** A STEP_FILLED for any other step than the one being filled is stale and ignored. */
    isCurrentStep: ({ context, event }) => event.type === 'STEP_FILLED' && event.step === context.steps[context.stepsFilled.length],
    isLastStep: ({ context }) => context.stepsFilled.length + 1 >= context.steps.length,
    afterSubmitError: ({ context }) => context.reconcileReason === 'submit_error',
    authoritativeNotFound: ({ event }) => event.type === 'SUBMISSION_NOT_FOUND' && event.authoritative === true,
    /**
     * Version 2, for jobs whose input asks for it: the click landed on the login page (the
     * session was gone, so the portal took no submission) and the search confirms there is none.
     */
    loggedOutAtSubmit: ({ context }) =>
      context.retryWhenLoggedOutAtSubmit === true &&
      context.reconcileReason === 'submit_error' &&
      context.failures[context.failures.length - 1]?.code === 'SESSION_EXPIRED',
    lookupRetriesLeft: ({ context, event }) =>
      context.lookupRetries !== undefined &&
      (context.lookupsFailed ?? 0) < context.lookupRetries.max &&
      (event.type === 'LOOKUP_FAILED' || (event.type === 'EFFECT_FAILED' && event.effect === 'findSubmission')),
  },
}).createMachine({
  id: 'job',
  context: ({ input }) => initialJobContext(input),
  initial: 'pending',
  states: {
    pending: {
      tags: ['runnable'],
      entry: { type: 'enterStage', params: { stage: 'pending' } },
      on: {
        START: { guard: 'attemptsLeft', target: 'cloning', actions: 'startAttempt' },
        CANCEL: { target: 'cancelled', actions: 'recordCancel' },
      },
    },
    cloning: {
      ...cloning,
      on: {
        ...cloning.on,
        CLONED: 'validating',
        CLONE_FAILED: retryableTransitions('clone'),
      },
    },
    validating: {
      ...validating,
      on: {
        ...validating.on,
        SESSION_VALID: [{ guard: 'hasSteps', target: 'filling' }, { target: 'submitting' }],
        LOGIN_FORM_SEEN: loginFormTransitions(),
        PAGE_UNRECOGNISED: retryableTransitions('validation'),
      },
    },
    filling: {
      ...filling,
      on: {
        ...filling.on,
        STEP_FILLED: [
          { guard: and(['isCurrentStep', 'isLastStep']), target: 'submitting', actions: 'recordStepFilled' },
          { guard: 'isCurrentStep', target: 'filling', reenter: true, actions: 'recordStepFilled' },
        ],
        STEP_REJECTED: { target: 'failed', actions: [{ type: 'recordFailure', params: { failureType: 'form_rejected' } }, closeAttemptClone] },
        STEP_FAILED: retryableTransitions('portal_error'),
        LOGIN_FORM_SEEN: loginFormTransitions(),
      },
    },
    // Entered only by the commit point `submit.started`; CANCEL is not accepted from here on.
    submitting: {
      tags: ['attempt', 'submitStarted'],
      entry: [
        { type: 'enterStage', params: { stage: 'submitting' } },
        'recordSubmitStarted',
        {
          type: 'submitForm',
          params: ({ context }) => ({ jobId: context.jobId, portal: context.portal, attempt: context.attempt, businessKey: context.businessKey }),
        },
      ],
      on: {
        SUBMITTED: { target: 'submitted', actions: ['recordReference', closeAttemptClone] },
        SUBMIT_FAILED: { target: 'reconciling', actions: reconcileAfterSubmitError },
        EFFECT_FAILED: { guard: { type: 'effectIs', params: { effect: 'submitForm' } }, target: 'reconciling', actions: reconcileAfterSubmitError },
        SUBMIT_INTERRUPTED: {
          target: 'in_doubt',
          actions: [{ type: 'recordFailure', params: { failureType: 'interrupted' } }, { type: 'beginReconcile', params: { reason: 'interrupted' } }],
        },
      },
    },
    // A crash during the click: recorded as a durable fact first, reconciled when the timer fires.
    in_doubt: {
      tags: ['attempt', 'submitStarted'],
      entry: { type: 'scheduleTimer', params: ({ context }) => ({ name: 'reconcile', delayMs: context.reconcileDelayMs }) },
      on: { 'TIMER.reconcile': 'reconciling' },
    },
    reconciling: {
      tags: ['attempt', 'submitStarted'],
      entry: [
        { type: 'enterStage', params: { stage: 'reconciling' } },
        { type: 'findSubmission', params: ({ context }) => ({ portal: context.portal, businessKey: context.businessKey }) },
      ],
      on: {
        SUBMISSION_FOUND: {
          target: 'submitted',
          actions: [{ type: 'recordLookup', params: { result: 'found' } }, 'recordReference', closeAttemptClone],
        },
        SUBMISSION_NOT_FOUND: [
          // An error page after the click and no submission found: evidence, then final. Never retried automatically.
          // The click met the login page and the portal holds nothing: the session is told, and a
          // fresh attempt is safe (version 2, when the input asks for it).
          {
            guard: and(['loggedOutAtSubmit', 'attemptsLeft']),
            target: 'failed_login_form',
            actions: [{ type: 'recordLookup', params: { result: 'not_found' } }, reportLoginForm, closeAttemptClone],
          },
          // The portal refused the click and its search, authoritative by the adapter's word, proves
          // it holds nothing: a fresh attempt after the backoff (only in logs that record the word).
          {
            guard: and(['afterSubmitError', 'authoritativeNotFound', 'attemptsLeft']),
            target: 'waiting',
            actions: [{ type: 'recordLookup', params: { result: 'not_found' } }, closeAttemptClone],
          },
          { guard: 'afterSubmitError', target: 'capturing_artifact', actions: { type: 'recordLookup', params: { result: 'not_found' } } },
          // The crash happened before the portal recorded anything: a fresh attempt is allowed.
          { guard: 'attemptsLeft', target: 'pending', actions: [{ type: 'recordLookup', params: { result: 'not_found' } }, closeAttemptClone] },
          { target: 'failed', actions: [{ type: 'recordLookup', params: { result: 'not_found' } }, closeAttemptClone] },
        ],
        LOOKUP_FAILED: [retryLookup, { target: 'needs_review', actions: lookupImpossible }],
        EFFECT_FAILED: [retryLookup, { guard: { type: 'effectIs', params: { effect: 'findSubmission' } }, target: 'needs_review', actions: lookupImpossible }],
      },
    },
    // A search that failed waits (durably, with backoff) and runs again: the master session may
    // be recovering, the portal's search may be slow. Still the submitting attempt.
    reconcileWaiting: {
      tags: ['attempt', 'submitStarted'],
      entry: {
        type: 'scheduleTimer',
        params: ({ context }) => ({
          name: 'reconcile' as const,
          delayMs: context.lookupRetries ? backoffWithJitterMs(context.lookupRetries, context.lookupsFailed ?? 1, `${context.jobId}:lookup`) : 0,
        }),
      },
      on: { 'TIMER.reconcile': 'reconciling' },
    },
    // The clone still shows what the portal answered: screenshot it before closing it.
    capturing_artifact: {
      tags: ['attempt', 'submitStarted'],
      entry: {
        type: 'captureArtifact',
        params: ({ context }) => ({ jobId: context.jobId, attempt: context.attempt, kind: 'screenshot' as const, stage: 'submitting' as const }),
      },
      on: {
        ARTIFACT_CAPTURED: { target: 'failed_post_submission', actions: ['recordArtifact', closeAttemptClone] },
        EFFECT_FAILED: { guard: { type: 'effectIs', params: { effect: 'captureArtifact' } }, target: 'failed_post_submission', actions: closeAttemptClone },
      },
    },
    // The master session has been told; wait (durably) before a fresh clone.
    failed_login_form: loginFormWait,
    waiting: retryWait(),
    submitted: { type: 'final' },
    failed_post_submission: { type: 'final' },
    needs_review: { type: 'final' },
    cancelled: { type: 'final' },
    failed: { type: 'final' },
  },
  output: ({ context }) => ({ jobId: context.jobId, businessKey: context.businessKey, externalId: context.externalId, reference: context.reference }),
});

/**
 * Why the job refuses a command, in words an operator can act on. CANCEL is refused from the
 * commit point on: the portal may hold the submission, so the job is finished or reconciled.
 */
export function jobRefusal(snapshot: SnapshotFrom<typeof jobMachine>, event: JobEvent): string | undefined {
  const state = String(snapshot.value);
  if (snapshot.status !== 'active') return `job is already ${state}`;
  if (event.type === 'CANCEL' && snapshot.hasTag('submitStarted')) {
    return `submit.started is recorded (job is ${state}): the portal may hold the submission, so the job is finished or reconciled, never cancelled`;
  }
  return undefined;
}

export const JOB_MACHINE = {
  id: 'job',
  version: '2',
  streamPrefix: 'job-',
  // Version 2 only added to version 1 (job.versions.spec.ts replays a version-1 log): its streams run on as they are.
  compatibleVersions: ['1'],
  machine: jobMachine,
  fireAndForget: JOB_FIRE_AND_FORGET,
  refusal: jobRefusal,
} as const satisfies MachineDefinition<typeof jobMachine, JobEffectParams>;

/** The job definition with its effect params: what typed effect handlers are checked against. */
export type JobDefinition = MachineDefinition<typeof jobMachine, JobEffectParams>;
