// Intake: a client's request becomes a job stream exactly once. The payload is validated
// against the portal adapter's schema (field errors listed, nothing appended on failure); the
// job id is derived from the portal and the client's idempotency key, so the same key always
// names the same job, and a key reused for different data is refused instead of guessed at.
import { createHash } from 'node:crypto';
import { InvalidCommandError, ValidationError, VersionConflictError, canonicalJson, type ActorHost, type Clock } from '@engine/core';
import { jobInputProblems, type JobContext, type JobInput } from '@engine/machines';

/** What intake needs of a portal adapter. */
export interface IntakePortal {
  readonly id: string;
  readonly payloadSchema: { safeParse(value: unknown): { success: true; data: unknown } | { success: false; error: { issues: { path: PropertyKey[]; message: string }[] } } };
  businessKey(payload: any): string;
  readonly fillSteps: readonly string[];
}

export interface SubmitJobRequest {
  portal: string;
  payload: unknown;
  idempotencyKey: string;
  externalId?: string | null;
}

export interface SubmitJobResult {
  jobId: string;
  stream: string;
  /** False when the key had already created this job. */
  created: boolean;
}

export interface JobIntakeOptions {
  host: ActorHost;
  clock: Clock;
  portals: (id: string) => IntakePortal | undefined;
  maxAttempts?: number;
  retryDelayMs?: number;
}

const KEY_PATTERN = /^[A-Za-z0-9_.:-]{1,128}$/;

export class JobIntake {
  constructor(private readonly options: JobIntakeOptions) {}

  /** The job id a key maps to: stable, opaque, and no path or injection risk from the key. */
  static jobIdFor(portal: string, idempotencyKey: string): string {
    return createHash('sha256').update(`${portal}\u0000${idempotencyKey}`).digest('base64url').slice(0, 22);
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
      businessKey: portal.businessKey(payload),
      externalId: request.externalId ?? null,
      createdAt: new Date(this.options.clock.now()).toISOString(),
      steps: [...portal.fillSteps],
      maxAttempts: this.options.maxAttempts,
      retryDelayMs: this.options.retryDelayMs,
    };
    const problems = jobInputProblems(input);
    if (Object.keys(problems).length > 0) throw new ValidationError('invalid job', problems);

    try {
      const { stream } = await this.options.host.create('job', jobId, input);
      return { jobId, stream, created: true };
    } catch (error) {
      if (!(error instanceof VersionConflictError)) throw error;
      const existing = await this.options.host.getState(`job-${jobId}`);
      const context = existing?.state.context as JobContext | undefined;
      if (context && canonicalJson(context.payload) === canonicalJson(payload) && context.externalId === input.externalId) {
        return { jobId, stream: `job-${jobId}`, created: false };
      }
      throw new InvalidCommandError(`job-${jobId}`, 'submitJob', existing?.state.value ?? 'unknown', 'the idempotency key was already used for a different job');
    }
  }
}
