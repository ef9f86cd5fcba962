// Completion callbacks for the callers of the API: a job submitted with a `callbackUrl` (or
// under a global one) gets a callback stream at submission, so its delivery cannot be lost
// between the job's end and a crash; when the job ends (read from the feed, also at start for
// jobs that ended while no process listened) the callback is handed the outcome and delivers it.
// The facade lists callbacks (undelivered ones for operators), shows one, and sends one again.
import { z } from 'zod/v4';
import { InvalidCommandError, NotFoundError, ValidationError, VersionConflictError, type ActorHost, type Clock, type Logger, type StateOf, type StreamState } from '@engine/core';
import {
  CALLBACK_MACHINE,
  callbackUrlProblem,
  isJobFinal,
  JOB_MACHINE,
  type CallbackDefinition,
  type CallbackPayload,
  type CallbackPolicy,
  type JobDefinition,
} from '@engine/machines';
import { jobView } from '../jobs/job-view';

type CallbackState = StateOf<CallbackDefinition>;
type JobState = StateOf<JobDefinition>;

export const CALLBACK_STATES = ['awaitingJob', 'delivering', 'waiting', 'undelivered', 'delivered'] as const;

export const callbackViewSchema = z.object({
  jobId: z.string(),
  url: z.string(),
  state: z.enum(CALLBACK_STATES).describe('awaitingJob (the job runs), delivering, waiting (to retry), undelivered (gave up: resend it), delivered'),
  attempts: z.number().int(),
  resends: z.number().int(),
  lastFailure: z
    .object({ attempt: z.number().int(), status: z.number().int().nullable(), code: z.string(), message: z.string(), at: z.string().nullable() })
    .nullable(),
  nextAttemptAt: z.string().nullable().describe('when the next retry is due (state waiting)'),
  deliveredAt: z.string().nullable(),
  deliveredStatus: z.number().int().nullable(),
  registeredAt: z.string(),
  updatedAt: z.string(),
  version: z.number().int(),
});
export type CallbackView = z.infer<typeof callbackViewSchema>;

export interface CallbacksOptions {
  host: ActorHost;
  clock: Clock;
  logger: Logger;
  /** Delivered to for every job submitted without its own callbackUrl; null: none. */
  globalUrl: string | null;
  /** False when no signing secret is configured: a callback URL is then refused (400). */
  enabled: boolean;
  policy: CallbackPolicy;
  /** Where a receiver fetches a failure artifact of the job (the inspector's route); default: the reference itself. */
  artifactLink?: (jobId: string, reference: string) => string;
}

export class CallbacksApi {
  private unsubscribe: (() => void) | undefined;

  constructor(private readonly options: CallbacksOptions) {}

  /**
   * The URL a submission's callback goes to: its own, else the global one, else none. A bad URL,
   * or one given while callbacks are not configured, is a ValidationError naming `callbackUrl`.
   */
  urlFor(requested: string | null | undefined): string | null {
    if (requested === undefined || requested === null) return this.options.globalUrl;
    const problem = callbackUrlProblem(requested);
    if (problem) throw new ValidationError('invalid job', { callbackUrl: problem });
    if (!this.options.enabled) throw new ValidationError('invalid job', { callbackUrl: 'callbacks are not configured on this server (CALLBACK_SECRET_REF)' });
    return requested;
  }

  /** Registers the job's callback (once: a repeated submission keeps the first registration); delivers at once if the job already ended. */
  async register(jobId: string, url: string): Promise<void> {
    try {
      await this.options.host.create(CALLBACK_MACHINE, jobId, { jobId, url, at: new Date(this.options.clock.now()).toISOString(), policy: this.options.policy });
    } catch (error) {
      if (!(error instanceof VersionConflictError)) throw error;
    }
    const job = this.options.host.feed.getOf(JOB_MACHINE, jobId);
    if (job) await this.handOver(job);
  }

  /** Follows the feed: every job that ends hands its outcome to its callback. Jobs that ended while no process listened are handed over now. */
  async start(): Promise<void> {
    const feed = this.options.host.feed;
    this.unsubscribe = feed.subscribe(({ entry }) => {
      if (!entry.stream.startsWith(JOB_MACHINE.streamPrefix) || entry.state?.status !== 'done') return;
      void this.handOver(entry as StreamState<JobState>).catch((error) =>
        this.options.logger.error('job outcome not handed to its callback', { stream: entry.stream, code: (error as { code?: string }).code ?? 'UNKNOWN' }),
      );
    });
    for (const callback of [...feed.allOf(CALLBACK_MACHINE)]) {
      if (callback.state.value !== 'awaitingJob') continue;
      const job = feed.getOf(JOB_MACHINE, callback.state.context.jobId);
      if (job) await this.handOver(job);
    }
  }

  stop(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
  }

  list(filter: { state?: (typeof CALLBACK_STATES)[number] } = {}): CallbackView[] {
    const views: CallbackView[] = [];
    for (const entry of this.options.host.feed.allOf(CALLBACK_MACHINE)) {
      const view = callbackView(entry);
      if (!filter.state || view.state === filter.state) views.push(view);
    }
    return views.sort((a, b) => a.registeredAt.localeCompare(b.registeredAt) || a.jobId.localeCompare(b.jobId));
  }

  get(jobId: string): CallbackView {
    const entry = this.options.host.feed.getOf(CALLBACK_MACHINE, jobId);
    if (!entry) throw new NotFoundError('callback of job', jobId);
    return callbackView(entry);
  }

  /** Sends an undelivered (or retrying) callback again now; 409 when it is delivered or its job still runs. */
  async resend(jobId: string, by: string): Promise<CallbackView> {
    this.get(jobId);
    const committed = await this.options.host.sendTo(CALLBACK_MACHINE, jobId, { type: 'RESEND', by, at: new Date(this.options.clock.now()).toISOString() });
    return callbackView(committed);
  }

  private async handOver(job: StreamState<JobState>): Promise<void> {
    if (!isJobFinal(job.state)) return;
    const jobId = job.state.context.jobId;
    const callback = this.options.host.feed.getOf(CALLBACK_MACHINE, jobId);
    if (!callback || callback.state.value !== 'awaitingJob') return;
    await this.options.host
      .sendTo(CALLBACK_MACHINE, jobId, { type: 'JOB_FINISHED', payload: this.payloadOf(job), at: new Date(this.options.clock.now()).toISOString() })
      // Another reader (a second worker, the start-up scan) handed it over first.
      .catch((error) => {
        if (!(error instanceof InvalidCommandError)) throw error;
      });
  }

  private payloadOf(job: StreamState<JobState>): CallbackPayload {
    const view = jobView(job);
    const last = view.failures[view.failures.length - 1];
    const link = this.options.artifactLink ?? ((_jobId: string, reference: string) => reference);
    return {
      event: 'job.finished',
      jobId: view.jobId,
      portal: view.portal,
      externalId: view.externalId,
      state: view.state,
      reference: view.reference,
      failure: view.state === 'submitted' || !last ? null : { kind: last.failureType, code: last.code, message: `${last.failureType} at ${last.stage}${last.step ? ` (${last.step})` : ''}` },
      artifacts: view.artifacts.map((reference) => link(view.jobId, reference)),
      finishedAt: job.updatedAt,
    };
  }
}

export function callbackView(entry: StreamState<CallbackState>): CallbackView {
  const c = entry.state.context;
  const retry = entry.state.timers.retry;
  return {
    jobId: c.jobId,
    url: c.url,
    state: entry.state.value,
    attempts: c.attempts,
    resends: c.resends,
    lastFailure: c.lastFailure,
    nextAttemptAt: retry ? new Date(retry.dueAt).toISOString() : null,
    deliveredAt: c.deliveredAt,
    deliveredStatus: c.deliveredStatus,
    registeredAt: c.registeredAt,
    updatedAt: entry.updatedAt,
    version: entry.version,
  };
}
