// Test fixtures for the job specifications: one input and a builder per event, so a spec
// reads as the story of a job. Not exported from the machines package.
import type { JobInput } from './job.config';
import type { JobEvent } from './job.events';

export const STEPS = ['applicant', 'details', 'confirm'];

export const jobInput: JobInput = {
  jobId: 'j1',
  portal: 'sim',
  payload: { name: 'Ada', amount: 12 },
  businessKey: 'BK-1',
  steps: STEPS,
};

const AT = '2026-01-01T00:00:30.000Z';

export const ev = {
  start: (): JobEvent => ({ type: 'START', at: AT }),
  cancel: (reason = 'customer withdrew'): JobEvent => ({ type: 'CANCEL', reason, at: AT }),
  cloned: (): JobEvent => ({ type: 'CLONED', at: AT }),
  cloneFailed: (code = 'BROWSER_LAUNCH'): JobEvent => ({ type: 'CLONE_FAILED', code, at: AT }),
  valid: (): JobEvent => ({ type: 'SESSION_VALID', at: AT }),
  loginForm: (artifactRef = 'art-login'): JobEvent => ({ type: 'LOGIN_FORM_SEEN', artifactRef, at: AT }),
  unrecognised: (): JobEvent => ({ type: 'PAGE_UNRECOGNISED', code: 'MAINTENANCE', artifactRef: 'art-page', at: AT }),
  filled: (step: string): JobEvent => ({ type: 'STEP_FILLED', step, at: AT }),
  rejected: (step: string): JobEvent => ({ type: 'STEP_REJECTED', step, code: 'FIELD_INVALID', artifactRef: 'art-form', at: AT }),
  stepFailed: (step: string): JobEvent => ({ type: 'STEP_FAILED', step, code: 'HTTP_503', artifactRef: null, at: AT }),
  submitted: (reference = 'REF-1'): JobEvent => ({ type: 'SUBMITTED', reference, at: AT }),
  submitFailed: (artifactRef: string | null = 'art-submit'): JobEvent => ({ type: 'SUBMIT_FAILED', code: 'HTTP_502', artifactRef, at: AT }),
  found: (reference = 'REF-FOUND'): JobEvent => ({ type: 'SUBMISSION_FOUND', reference, at: AT }),
  notFound: (): JobEvent => ({ type: 'SUBMISSION_NOT_FOUND', at: AT }),
  lookupFailed: (): JobEvent => ({ type: 'LOOKUP_FAILED', code: 'SEARCH_DOWN', at: AT }),
  captured: (artifactRef = 'art-shot'): JobEvent => ({ type: 'ARTIFACT_CAPTURED', artifactRef, at: AT }),
  effectFailed: (effect: string, code = 'TIMEOUT', message = 'navigation timeout'): JobEvent => ({ type: 'EFFECT_FAILED', effect, error: { code, message } }),
  interrupted: (): JobEvent => ({ type: 'INTERRUPTED', at: AT }),
  submitInterrupted: (): JobEvent => ({ type: 'SUBMIT_INTERRUPTED', at: AT }),
  retryTimer: (): JobEvent => ({ type: 'TIMER.retry' }),
  reconcileTimer: (): JobEvent => ({ type: 'TIMER.reconcile' }),
};

/** One attempt from START to the last filled step: the job is then `submitting`. */
export const toSubmitting = (): JobEvent[] => [ev.start(), ev.cloned(), ev.valid(), ...STEPS.map(ev.filled)];

/** One attempt that ends in a login form while validating. */
export const loginFormAttempt = (): JobEvent[] => [ev.start(), ev.cloned(), ev.loginForm(), ev.retryTimer()];
