// Intake: a client's request becomes a job stream exactly once. The payload is validated
// against the portal adapter's schema (field errors listed, nothing appended on failure); the
// job id is derived from the portal and the client's idempotency key, so the same key always
// names the same job, and a key reused for different data is refused instead of guessed at.
import { createHash } from 'node:crypto';
import { InvalidCommandError, ValidationError, VersionConflictError, canonicalJson, type ActorHost, type Clock, type CommittedState, type StateOf } from '@engine/core';
import { defaultRetryPolicy, FREE_LOGIN_FORM_ATTEMPTS, JOB_DEFAULTS, JOB_MACHINE, jobInputProblems, type JobInput, type JobRetryOrigin, type LookupRetries, type RetryBackoff } from '@engine/machines';

export type JobState = StateOf<typeof JOB_MACHINE>;

/** What intake needs of a portal adapter. */
export interface IntakePortal {
  readonly id: string;
  readonly payloadSchema: { safeParse(value: unknown): { success: true; data: unknown } | { success: false; error: { issues: { path: PropertyKey[]; message: string }[] } } };
  /** Called with a payload the schema accepted. */
  businessKey(payload: never): string;
  readonly fillSteps: readonly string[];
}

export interface SubmitJobRequest {
  portal: string;
  payload: unknown;
  idempotencyKey: string;
  externalId?: string | null;
  /** Where the job's outcome is POSTed when it ends (JobsApi registers it; intake ignores it). */
  callbackUrl?: string | null;
  /** A job started over by JobsApi.retry: recorded in its input (who asked, what was checked). */
  retryOf?: JobRetryOrigin;
}

export interface SubmitJobResult {
  jobId: string;
  stream: string;
  /** False when the key had already created this job. */
  created: boolean;
  /** The job's committed state: its first state when created, its current one otherwise. */
  committed: CommittedState<JobState>;
}

export interface JobIntakeOptions {
  host: ActorHost;
  clock: Clock;
  portals: (id: string) => IntakePortal | undefined;
  maxAttempts?: number;
  retryDelayMs?: number;
  /** Default: scaled to retryDelayMs (defaultRetryPolicy). */
  retryBackoff?: RetryBackoff;
  /** Default: 3 more searches, scaled to retryDelayMs. `{ max: 0, … }`: one failed search means needs_review. */
  lookupRetries?: LookupRetries;
  /** Attempts ended at the login form that do not count against maxAttempts (default FREE_LOGIN_FORM_ATTEMPTS). */
  freeLoginFormAttempts?: number;
  /** A portal's own attempts and waits, over the ones above (the server's per-portal settings). */
  portalPolicy?: (portal: string) => JobPolicy | undefined;
  /** Archived jobs (removed from the store): a key they used stays used, so a resubmission is not submitted twice. */
  archived?: (stream: string) => Promise<CommittedState | undefined>;
}

export type JobPolicy = Pick<JobIntakeOptions, 'maxAttempts' | 'retryDelayMs' | 'retryBackoff' | 'lookupRetries' | 'freeLoginFormAttempts'>;

const KEY_PATTERN = /^[A-Za-z0-9_.:-]{1,128}$/;

export class JobIntake {
  constructor(private readonly options: JobIntakeOptions) {}

  /** The job id a key maps to: stable, opaque, and no path or injection risk from the key. */
  static jobIdFor(portal: string, idempotencyKey: string): string {
    return createHash('sha256').update(`${portal}\u0000${idempotencyKey}`).digest('base64url').slice(0, 22);
  }

  /** What a new job of the portal is recorded with: its attempts and the waits between them. */
  private policy(portal: string): { maxAttempts: number | undefined; retryDelayMs: number | undefined; retryBackoff: RetryBackoff; lookupRetries: LookupRetries; freeLoginFormAttempts?: number } {
    const own = this.options.portalPolicy?.(portal) ?? {};
    const free = own.freeLoginFormAttempts ?? this.options.freeLoginFormAttempts ?? FREE_LOGIN_FORM_ATTEMPTS;
    const retryDelayMs = own.retryDelayMs ?? this.options.retryDelayMs;
    const defaults = defaultRetryPolicy(retryDelayMs ?? JOB_DEFAULTS.retryDelayMs);
    return {
      maxAttempts: own.maxAttempts ?? this.options.maxAttempts,
      retryDelayMs,
      retryBackoff: own.retryBackoff ?? this.options.retryBackoff ?? defaults.retryBackoff,
      lookupRetries: own.lookupRetries ?? this.options.lookupRetries ?? defaults.lookupRetries,
      // Zero: no key in the input (every attempt counts, as for jobs recorded before the allowance).
      ...(free > 0 ? { freeLoginFormAttempts: free } : {}),
    };
  }

  async submitJob(request: SubmitJobRequest): Promise<SubmitJobResult> {
    const fields: Record<string, string> = {};
    const portal = typeof request.portal === 'string' ? this.options.portals(request.portal) : undefined;
    if (!portal) fields.portal = 'unknown portal';
    if (typeof request.idempotencyKey !== 'string' || !KEY_PATTERN.test(request.idempotencyKey)) {
      fields.idempotencyKey = 'required: 1-128 characters of A-Z a-z 0-9 _ . : -';
    }
    if (request.externalId != null && (typeof request.externalId !== 'string' || !KEY_PATTERN.test(request.externalId))) {
      fields.externalId = '1-128 characters of A-Z a-z 0-9 _ . : -';
    }
    let payload: Record<string, unknown> | undefined;
    if (portal) {
      const parsed = portal.payloadSchema.safeParse(request.payload);
      if (parsed.success) payload = parsed.data as Record<string, unknown>;
      else for (const issue of parsed.error.issues) fields[['payload', ...issue.path.map(String)].join('.')] ??= issue.message;
    }
    if (Object.keys(fields).length > 0 || !portal || !payload) throw new ValidationError('invalid job', fields);

    const jobId = JobIntake.jobIdFor(portal.id, request.idempotencyKey);
    const input: JobInput = {
      jobId,
      portal: portal.id,
      payload,
      // The schema accepted it: the adapter's own payload type.
      businessKey: portal.businessKey(payload as never),
      externalId: request.externalId ?? null,
      createdAt: new Date(this.options.clock.now()).toISOString(),
      steps: [...portal.fillSteps],
      ...this.policy(portal.id),
      retryWhenLoggedOutAtSubmit: true,
      ...(request.retryOf ? { retryOf: request.retryOf } : {}),
    };
    const problems = jobInputProblems(input);
    if (Object.keys(problems).length > 0) throw new ValidationError('invalid job', problems);

    const archived = (await this.options.archived?.(`${JOB_MACHINE.streamPrefix}${jobId}`)) as CommittedState<StateOf<typeof JOB_MACHINE>> | undefined;
    try {
      if (archived) throw new VersionConflictError(archived.stream, 'no-stream', archived.version);
      const committed = await this.options.host.create(JOB_MACHINE, jobId, input);
      return { jobId, stream: committed.stream, created: true, committed };
    } catch (error) {
      if (!(error instanceof VersionConflictError)) throw error;
      const existing = archived ?? (await this.options.host.getStateOf(JOB_MACHINE, jobId));
      const context = existing?.state.context;
      if (existing && context && canonicalJson(context.payload) === canonicalJson(payload) && context.externalId === input.externalId) {
        return { jobId, stream: existing.stream, created: false, committed: existing };
      }
      throw new InvalidCommandError(`job-${jobId}`, 'submitJob', existing?.state.value ?? 'unknown', 'the idempotency key was already used for a different job');
    }
  }
}
