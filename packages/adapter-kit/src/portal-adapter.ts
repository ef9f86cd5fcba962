// The PortalAdapter interface: everything the engine knows about one portal. Adapters are
// plugins (see adapter-loader.ts and ../README.md); the engine only ever calls these methods.
import type { Page } from 'puppeteer-core';
import type { ZodType, ZodTypeDef } from 'zod';
import type { OperationOptions } from './operation';
import type { ProbeResult, ProbeSelectors } from './session-probe';
import type { CaptchaSolver } from './captcha-solver';

/** Resolved from a secret reference at effect time; never logged, stored or put in an error. */
export interface Credentials {
  username: string;
  password: string;
}

export interface FillOptions extends OperationOptions {
  /** Called as each named step starts, so a failure records the stage it happened in. */
  onStage?: (step: string) => void;
}

export interface SubmitResult {
  reference: string;
}

export type FindSubmissionResult = { found: true; reference: string } | { found: false };

export interface PortalAdapter<Payload = unknown> {
  /** Lowercase letters, digits and dashes; also names the portal's profile folder. */
  readonly id: string;
  /** The portal origin, whose cookies and storage make up its session. */
  readonly origin: string;
  /** Validates a job's payload at the API edge, before anything is recorded. */
  readonly payloadSchema: ZodType<Payload, ZodTypeDef, unknown>;
  /** What the generic session probe races. */
  readonly selectors: ProbeSelectors;
  /** The fill steps in order, each filled by `fillStep`. */
  readonly fillSteps: readonly string[];
  /**
   * True when `fillStep` throws SessionExpiredError as soon as a navigation lands on the login
   * page: the first step's navigation is then the job's session check, and the engine makes no
   * separate probe navigation per job (one round trip less). Absent or false: each fresh clone
   * is probed before the first step.
   */
  readonly detectsLoggedOutOnNavigation?: boolean;
  /**
   * Present when `findSubmission` answering "not found" (in a logged-in session) proves the portal
   * holds no submission, once `settleMs` have passed since the click (a search that shows a new
   * submission after a delay sets it). A job whose click failed is then tried again with a fresh
   * clone instead of ending `failed_post_submission`. Absent: "not found" after a failed click
   * proves nothing, and a person decides.
   */
  readonly authoritativeLookup?: { readonly settleMs: number };

  /** The key a submission can be found by on the portal (reconciliation after a crash). */
  businessKey(payload: Payload): string;
  /** Logs the page in. Throws LoginFailedError (CAPTCHA_REJECTED / LOGIN_FAILED). */
  login(page: Page, credentials: Credentials, captchaSolver: CaptchaSolver, options: OperationOptions): Promise<void>;
  /** One navigation to a logged-in page: valid, login-form or unknown, with evidence. */
  probe(page: Page, options: OperationOptions): Promise<ProbeResult>;
  /**
   * Fills one named step of `fillSteps` and moves on to the next step's page: the first step
   * opens the form, each later one continues on the page the previous step left. The job
   * machine runs one step per effect, so the log records the stage of every step.
   */
  fillStep(page: Page, payload: Payload, step: string, options: OperationOptions): Promise<void>;
  /** The irreversible click. Returns the portal's reference, or throws SubmissionInDoubtError. */
  submit(page: Page, payload: Payload, options: OperationOptions): Promise<SubmitResult>;
  /** Looks a submission up by business key, for reconciliation. */
  findSubmission(page: Page, businessKey: string, options: OperationOptions): Promise<FindSubmissionResult>;
}
