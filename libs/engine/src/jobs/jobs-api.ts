// The jobs facade: what a user of the engine (the HTTP API, the demo, a test) does with jobs.
// Commands go through the job machine and answer with the state they committed; views are read
// from the host's read feed. Whether a command is allowed is the machine's to say: a refusal
// comes back as InvalidCommandError with the machine's reason (the API's 409).
import { z } from 'zod/v4';
import { EngineError, InvalidCommandError, NotFoundError, ValidationError, type ActorHost, type Clock, type EventStore, type StateOf, type StreamState } from '@engine/core';
import { JOB_MACHINE, MASTER_SESSION_MACHINE, recoveriesPerHour, recoveryHistory, retryRefusal, topState, type JobEvent } from '@engine/machines';
import { actionFor, allowed, refused, type AllowedAction } from '../actions/allowed-actions';
import { JobIntake, type SubmitJobRequest } from './job-intake';
import type { CallbacksApi } from '../callbacks/callbacks-api';
import type { JobScheduler, PortalLoad, SchedulerStatus } from './job-scheduler';
import { decodeJobCursor, encodeJobCursor, type JobSearch } from './job-index/job-index';
import type { JobIndexProjection } from './job-index/job-index-projection';
import { jobStateSchema, jobView, jobViewSchema, type JobView } from './job-view';
import type { StreamArchive } from '@engine/event-store';

export class IntakeHaltedError extends EngineError {
  constructor(portal: string, state: string) {
    super('INTAKE_HALTED', `portal ${portal}: job intake is halted while its master session is ${state}; an operator must reset it`, { details: { portal, state } });
  }
}

export const submittedJobSchema = z.object({ jobId: z.string(), created: z.boolean(), state: jobStateSchema, version: z.number().int() });
export type SubmittedJob = z.infer<typeof submittedJobSchema>;

export const jobPageSchema = z.object({
  jobs: z.array(jobViewSchema),
  next: z.string().nullable().describe('the cursor of the next page (opaque: pass it back as `cursor` with the same filters); null on the last page'),
});
export type JobPage = z.infer<typeof jobPageSchema>;

export const retriedJobSchema = z.object({ retryOf: z.string(), jobId: z.string(), created: z.boolean() });

export interface RetryOptions {
  /** Who asked (recorded in the new job's input). Default `api`. */
  by?: string;
  /** A person checked the portal and it holds no submission of this job: required to start a needs_review job over. */
  confirmNotSubmitted?: boolean;
}
export type RetriedJob = z.infer<typeof retriedJobSchema>;

/** A job search as the API takes it: the index's search (JobSearch), with the opaque cursor of the previous page (`next`) instead of its sort key. */
export type JobListFilter = Omit<JobSearch, 'after'> & { cursor?: string };

export const jobStatsSchema = z.object({
  byState: z.record(z.string(), z.number().int()),
  byFailureType: z.record(z.string(), z.number().int()),
  finished: z.number().int(),
  submitted: z.number().int(),
  successRate: z.number().nullable(),
  recoveriesPerHour: z.record(z.string(), z.number().int()),
  scheduler: z.object({
    concurrency: z.number().int(),
    inFlight: z.number().int(),
    queued: z.number().int(),
    stopping: z.boolean(),
    halted: z.array(z.object({ portal: z.string(), masterState: z.string() })),
    paused: z.array(z.string()).describe('portals whose queue an operator paused: none of their jobs is started'),
  }),
});
export type JobStats = z.infer<typeof jobStatsSchema> & { scheduler: SchedulerStatus };

export interface JobsApiOptions {
  host: ActorHost;
  intake: JobIntake;
  scheduler: JobScheduler;
  store: EventStore;
  clock: Clock;
  /** Completion callbacks; absent: a callbackUrl is refused like an unknown field would be. */
  callbacks?: CallbacksApi;
  /** The searchable projection the list is served from. */
  index: JobIndexProjection;
  /** Jobs archived out of the store, shown from their segment by `show`. */
  archive?: StreamArchive;
}

export class JobsApi {
  constructor(private readonly options: JobsApiOptions) {}

  /** Records a new job (or finds the one this idempotency key made); answers with its committed state. */
  async submit(request: SubmitJobRequest): Promise<SubmittedJob> {
    const master = this.options.host.feed.getOf(MASTER_SESSION_MACHINE, request.portal);
    if (master?.state.context.intakeHalted) throw new IntakeHaltedError(request.portal, topState(master.state.value));
    // Checked before anything is recorded; registered right after the job, before the answer.
    const callbackUrl = this.callbackUrlFor(request.callbackUrl);
    const result = await this.options.intake.submitJob(request);
    if (callbackUrl) await this.options.callbacks?.register(result.jobId, callbackUrl);
    return { jobId: result.jobId, created: result.created, state: result.committed.state.value, version: result.committed.version };
  }

  private callbackUrlFor(requested: string | null | undefined): string | null {
    if (this.options.callbacks) return this.options.callbacks.urlFor(requested);
    if (requested != null) throw new ValidationError('invalid job', { callbackUrl: 'callbacks are not configured on this server' });
    return null;
  }

  get(jobId: string): JobView {
    const entry = this.options.host.feed.getOf(JOB_MACHINE, jobId);
    if (!entry) throw new NotFoundError('job', jobId);
    return jobView(entry);
  }

  /** `get`, or for a job archived out of the store its final view read from its archive segment. */
  async show(jobId: string): Promise<JobView> {
    const entry = this.options.host.feed.getOf(JOB_MACHINE, jobId);
    if (entry) return jobView(entry);
    const archived = await this.options.archive?.lastState(`${JOB_MACHINE.streamPrefix}${jobId}`);
    if (!archived) throw new NotFoundError('job', jobId);
    return jobView(archived as StreamState<StateOf<typeof JOB_MACHINE>>);
  }

  byExternalId(externalId: string): JobView {
    for (const entry of this.options.host.feed.allOf(JOB_MACHINE)) if (entry.state.context.externalId === externalId) return jobView(entry);
    throw new NotFoundError('job with external id', externalId);
  }

  /**
   * Oldest first (created, then job id), served from the job index. The cursor is the sort key of
   * the previous page's last job, so a page starts after that place in the order even when that
   * job has left the filter since (its state changed). A malformed or altered cursor is a 400.
   */
  async list(filter: JobListFilter): Promise<JobPage> {
    const after = filter.cursor === undefined ? undefined : decodeJobCursor(filter.cursor);
    const { cursor: _cursor, limit, ...search } = filter;
    const rows = await this.options.index.search({ ...search, after, limit: limit + 1 });
    const page = rows.slice(0, limit);
    // Views come from the feed, as GET /jobs/:id shows them; a job another worker indexed before
    // this feed saw it is left out of this page (its place in the order is not: the cursor is the row's).
    // A finished job missing from the feed was archived out of the store: shown from its segment.
    const missing = page.filter((row) => row.finishedAt !== null && !this.options.host.feed.getOf(JOB_MACHINE, row.jobId));
    const archived = missing.length > 0 && this.options.archive ? await this.options.archive.lastStatesOf(missing.map((row) => `${JOB_MACHINE.streamPrefix}${row.jobId}`)) : undefined;
    const jobs: JobView[] = [];
    for (const row of page) {
      const entry = this.options.host.feed.getOf(JOB_MACHINE, row.jobId) ?? archived?.get(`${JOB_MACHINE.streamPrefix}${row.jobId}`);
      if (entry) jobs.push(jobView(entry as StreamState<StateOf<typeof JOB_MACHINE>>));
    }
    const last = page[page.length - 1];
    return { jobs, next: rows.length > limit && last ? encodeJobCursor(last) : null };
  }

  /** CANCEL through the machine (refused from submit.started on, with its reason), recorded with who asked; the attempt's effects are stopped. */
  async cancel(jobId: string, reason?: string, by = 'api'): Promise<JobView> {
    this.get(jobId);
    const event: JobEvent = { type: 'CANCEL', reason: reason ?? `cancelled through the ${by === 'api' ? 'API' : by}`, at: this.now(), by };
    const committed = await this.options.host.sendTo(JOB_MACHINE, jobId, event);
    this.options.host.abortEffects(committed.stream, new EngineError('CANCELLED', `job ${jobId} cancelled`));
    return jobView(committed);
  }

  /**
   * A new job with the same input (linked by `retryOf`, naming who asked), only where the portal
   * cannot already hold this one, or, for a needs_review job, where a person checked the portal and
   * confirms it holds none. A new job, not a new attempt of this one: a final state cannot be left
   * without breaking the replay of stored logs. Idempotent: retrying the same job twice returns
   * the same new job; a failed retry is retried by its own id.
   */
  async retry(jobId: string, options: RetryOptions = {}): Promise<RetriedJob> {
    const entry = this.options.host.feed.getOf(JOB_MACHINE, jobId);
    if (!entry) throw new NotFoundError('job', jobId);
    const confirmed = options.confirmNotSubmitted === true;
    const refusal = retryRefusal(entry.state, { confirmedNotSubmitted: confirmed });
    if (refusal !== null) throw new InvalidCommandError(entry.stream, 'retry', entry.state.value, refusal);
    const c = entry.state.context;
    const result = await this.options.intake.submitJob({
      portal: c.portal,
      payload: c.payload,
      idempotencyKey: retryKey(jobId),
      retryOf: { jobId, by: options.by ?? 'api', confirmedNotSubmitted: confirmed },
    });
    return { retryOf: jobId, jobId: result.jobId, created: result.created };
  }

  /**
   * What an operator may do with the job now, each with the reason it is refused: cancel (the job
   * machine's CANCEL), retry and resubmit-after-check (a new job; see `retry`).
   */
  async actions(jobId: string): Promise<AllowedAction[]> {
    const entry = this.options.host.feed.getOf(JOB_MACHINE, jobId);
    if (!entry) throw new NotFoundError('job', jobId);
    const cancel = await actionFor('cancel', this.options.host, entry.stream, { type: 'CANCEL', reason: 'operator', at: this.now(), by: 'operator' });
    const retriedAs = this.options.host.feed.getOf(JOB_MACHINE, JobIntake.jobIdFor(entry.state.context.portal, retryKey(jobId)));
    if (retriedAs) {
      const done = `already started over as job ${retriedAs.state.context.jobId}`;
      return [cancel, refused('retry', done), refused('resubmit', done)];
    }
    const plain = retryRefusal(entry.state);
    const checked = retryRefusal(entry.state, { confirmedNotSubmitted: true });
    const resubmit =
      plain === null
        ? refused('resubmit', 'the portal cannot hold this job: retry it, no check needed')
        : checked === null
          ? allowed('resubmit')
          : refused('resubmit', checked);
    return [cancel, plain === null ? allowed('retry') : refused('retry', plain), resubmit];
  }

  async stats(): Promise<JobStats> {
    const byState: Record<string, number> = {};
    const byFailureType: Record<string, number> = {};
    let submitted = 0;
    let finished = 0;
    for (const entry of this.options.host.feed.allOf(JOB_MACHINE)) {
      const view = jobView(entry);
      byState[view.state] = (byState[view.state] ?? 0) + 1;
      for (const failure of view.failures) byFailureType[failure.failureType] = (byFailureType[failure.failureType] ?? 0) + 1;
      if (view.final) {
        finished += 1;
        if (view.state === 'submitted') submitted += 1;
      }
    }
    const now = this.options.clock.now();
    const recoveries: Record<string, number> = {};
    for (const master of this.options.host.feed.allOf(MASTER_SESSION_MACHINE)) {
      recoveries[master.state.context.portal] = recoveriesPerHour(recoveryHistory(await this.options.store.read(master.stream)), now);
    }
    return {
      byState,
      byFailureType,
      finished,
      submitted,
      successRate: finished === 0 ? null : submitted / finished,
      recoveriesPerHour: recoveries,
      scheduler: this.options.scheduler.status(),
    };
  }

  /** Per portal: jobs queued, running, and held by its rate limit, its quiet hours or its master session (metrics read it). */
  portalLoad(): PortalLoad[] {
    return this.options.scheduler.portalLoad();
  }

  /** Attempts in flight at once over all portals (the global cap). */
  concurrency(): number {
    return this.options.scheduler.concurrency;
  }

  private now(): string {
    return new Date(this.options.clock.now()).toISOString();
  }
}

/** The idempotency key of the job that starts `jobId` over: one per job, whoever asks. */
function retryKey(jobId: string): string {
  return `retry.${jobId}`;
}
