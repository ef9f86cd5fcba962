// Runs jobs: FIFO by intake time, at most `concurrency` attempts in flight, only for portals
// whose master session is available (it halts while the session recovers and resumes by itself)
// and whose queue an operator has not paused (portal-queue machine: jobs running finish).
// It owns no state of its own: what is pending, running or halted is read from the host's read
// feed, and every committed change wakes it, so after a crash it simply picks up from the log.
// A job that met the login form is told SESSION_READY as soon as its master session is logged in
// again after the job saw the form: its recovery is the wait, not a fixed delay.
import type { ActorHost, Clock, Logger, StateChange, StateOf, StreamState } from '@engine/core';
import { InvalidCommandError, silentLogger } from '@engine/core';
import { isMasterAvailable, isQueuePaused, JOB_MACHINE, jobHasTag, jobInterruptedEvent, masterStateName, PORTAL_QUEUE_MACHINE } from '@engine/machines';

/** After a START that failed for another reason than a refusal (a lost lease, a store error), the job is looked at again this much later. */
const START_RETRY_MS = 250;

type JobState = StateOf<typeof JOB_MACHINE>;

export interface JobSchedulerOptions {
  host: ActorHost;
  clock: Clock;
  logger?: Logger;
  /** Attempts in flight at once, over all portals. Default 3. */
  concurrency?: number;
  /** With several workers: only jobs this worker holds the lease of are queued and started. Default: all. */
  owns?: (stream: string) => boolean;
}

export interface SchedulerStatus {
  concurrency: number;
  inFlight: number;
  queued: number;
  stopping: boolean;
  /** Portals with queued jobs whose master session is not available, and its state. */
  halted: { portal: string; masterState: string }[];
  /** Portals whose queue an operator paused: none of their jobs is started. */
  paused: string[];
}

interface QueuedJob {
  stream: string;
  portal: string;
  createdAt: string;
  position: number;
}

export class JobScheduler {
  readonly concurrency: number;
  /** Runnable jobs, kept in FIFO order (see `inFifoOrder`) so starting the next ones sorts nothing. */
  private readonly queue = new Map<string, QueuedJob>();
  /** False once a job was queued ahead of one queued before it: the next fill sorts the queue once. */
  private queueInOrder = true;
  /** The latest job in FIFO order queued since the queue was last sorted. */
  private queueLast: QueuedJob | undefined;
  private readonly running = new Set<string>();
  /** Jobs waiting after the login form (tag awaitingSession), with when they met it. */
  private readonly awaitingSession = new Map<string, { portal: string; seenAt: number }>();
  /** START sent, not yet committed: counted as running so a burst cannot overshoot. */
  private readonly starting = new Set<string>();
  private readonly logger: Logger;
  private readonly idleWaiters = new Set<() => void>();
  private stopping = false;
  private unsubscribe: () => void = () => undefined;
  private pumping = false;
  private pumpAgain = false;

  constructor(private readonly options: JobSchedulerOptions) {
    this.concurrency = options.concurrency ?? 3;
    if (!Number.isInteger(this.concurrency) || this.concurrency < 1) throw new RangeError(`concurrency must be a positive integer, got ${this.concurrency}`);
    this.logger = options.logger ?? silentLogger;
  }

  start(): void {
    const feed = this.options.host.feed;
    for (const entry of feed.allOf(JOB_MACHINE)) this.track(entry);
    this.unsubscribe = feed.subscribe((change) => this.onChange(change));
    this.pump();
  }

  status(): SchedulerStatus {
    const halted = new Map<string, string>();
    for (const job of this.queue.values()) {
      if (!this.masterAvailable(job.portal)) halted.set(job.portal, masterStateName(this.master(job.portal)?.state ?? undefined));
    }
    return {
      concurrency: this.concurrency,
      inFlight: this.running.size + this.starting.size,
      queued: this.queue.size,
      stopping: this.stopping,
      halted: [...halted].map(([portal, masterState]) => ({ portal, masterState })),
      paused: [...this.options.host.feed.allOf(PORTAL_QUEUE_MACHINE)].filter((q) => isQueuePaused(q.state)).map((q) => q.state.context.portal).sort(),
    };
  }

  /**
   * Graceful shutdown: claim nothing new, let attempts in flight finish for up to `timeoutMs`,
   * then record an interruption for those that have not clicked yet (they go back to pending).
   * An attempt that is submitting is left alone: after restart it is reconciled, never re-run.
   */
  async stop(timeoutMs = 30_000): Promise<{ finished: number; interrupted: string[]; leftSubmitting: string[] }> {
    this.stopping = true;
    const inFlightAtStop = this.running.size + this.starting.size;
    await this.drained(timeoutMs);
    this.unsubscribe();
    const interrupted: string[] = [];
    const leftSubmitting: string[] = [];
    const at = new Date(this.options.clock.now()).toISOString();
    for (const stream of this.running) {
      const current = await this.options.host.getState(stream);
      if (!current) continue;
      if (!jobHasTag(current.state, 'interruptible')) {
        leftSubmitting.push(stream);
        continue;
      }
      this.options.host.abortEffects(stream, new Error('scheduler stopped'));
      // Recorded as the answer of the cut effect (not a new command), so its late outcome is ignored.
      for (const [effectId, effect] of Object.entries(current.state.effects)) {
        const event = jobInterruptedEvent(effect.type, at);
        if (event && (await this.options.host.report(stream, effectId, event))) {
          interrupted.push(stream);
          break;
        }
      }
    }
    return { finished: inFlightAtStop - this.running.size, interrupted, leftSubmitting };
  }

  /** Re-reads one job after this worker took or gave up its lease (a START in flight is left to finish). */
  refresh(stream: string): void {
    if (this.starting.has(stream)) return;
    const entry = this.options.host.feed.getOf(JOB_MACHINE, stream.slice(JOB_MACHINE.streamPrefix.length));
    if (entry) this.track(entry);
    this.pump();
  }

  private onChange({ entry }: StateChange): void {
    if (entry.kind === JOB_MACHINE.id) {
      const job = this.options.host.feed.getOf(JOB_MACHINE, entry.stream.slice(JOB_MACHINE.streamPrefix.length));
      if (job) {
        this.track(job);
        if (this.awaitingSession.has(job.stream)) this.wakeAfterLoginForm(job.state.context.portal);
      }
    } else if (entry.stream.startsWith('master-')) {
      const portal = (entry.state?.context as { portal?: unknown } | undefined)?.portal;
      if (typeof portal === 'string') this.wakeAfterLoginForm(portal);
    }
    this.pump();
  }

  /**
   * Jobs of `portal` that met the login form before its master session last became healthy are
   * retried now (SESSION_READY). One that met it after (the report may not have reached the
   * session yet) keeps waiting for the recovery that report starts.
   */
  private wakeAfterLoginForm(portal: string): void {
    if (this.stopping || this.awaitingSession.size === 0) return;
    const master = this.master(portal);
    if (!master || !isMasterAvailable(master.state ?? undefined)) return;
    const readySince = Date.parse(String((master.state?.context as { readySince?: unknown } | undefined)?.readySince ?? ''));
    if (Number.isNaN(readySince)) return;
    const at = new Date(this.options.clock.now()).toISOString();
    for (const [stream, job] of this.awaitingSession) {
      if (job.portal !== portal || job.seenAt >= readySince) continue;
      this.awaitingSession.delete(stream);
      this.options.host.send(stream, { type: 'SESSION_READY', at }).catch((error) => {
        if (!(error instanceof InvalidCommandError)) this.logger.warn('SESSION_READY not recorded; the retry timer still runs', { stream, code: (error as { code?: string }).code ?? 'UNKNOWN' });
      });
    }
  }

  /** Resolves once no attempt is in flight, or after `timeoutMs` (a real-time shutdown budget). */
  private drained(timeoutMs: number): Promise<void> {
    if (this.running.size + this.starting.size === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.idleWaiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      this.idleWaiters.add(done);
    });
  }

  private track(entry: StreamState<JobState>): void {
    this.starting.delete(entry.stream);
    if (this.options.owns && !this.options.owns(entry.stream)) {
      this.running.delete(entry.stream);
      this.queue.delete(entry.stream);
    } else {
      if (jobHasTag(entry.state, 'attempt')) this.running.add(entry.stream);
      else this.running.delete(entry.stream);
      if (!jobHasTag(entry.state, 'awaitingSession')) this.awaitingSession.delete(entry.stream);
      else if (!this.awaitingSession.has(entry.stream)) {
        const failures = entry.state.context.failures;
        const seenAt = Date.parse(failures[failures.length - 1]?.at ?? '');
        // A failure without a time cannot be compared: the fallback timer retries it.
        if (!Number.isNaN(seenAt)) this.awaitingSession.set(entry.stream, { portal: entry.state.context.portal, seenAt });
      }
      if (!jobHasTag(entry.state, 'runnable')) this.queue.delete(entry.stream);
      else if (!this.queue.has(entry.stream)) {
        const context = entry.state.context;
        const job: QueuedJob = { stream: entry.stream, portal: context.portal, createdAt: context.createdAt ?? '', position: entry.position };
        this.queue.set(entry.stream, job);
        // Jobs nearly always become runnable in FIFO order (intake order): then the map's order is it.
        if (this.queueLast && fifoCompare(job, this.queueLast) < 0) this.queueInOrder = false;
        else this.queueLast = job;
      }
    }
    if (this.running.size + this.starting.size === 0) for (const wake of [...this.idleWaiters]) wake();
  }

  private master(portal: string): StreamState | undefined {
    return this.options.host.feed.get(`master-${portal}`);
  }

  private masterAvailable(portal: string): boolean {
    return isMasterAvailable(this.master(portal)?.state ?? undefined);
  }

  private queuePaused(portal: string): boolean {
    return isQueuePaused(this.options.host.feed.getOf(PORTAL_QUEUE_MACHINE, portal)?.state);
  }

  /** Starts queued jobs while there is room. Re-entrant calls coalesce into one more pass. */
  private pump(): void {
    if (this.pumping) {
      this.pumpAgain = true;
      return;
    }
    this.pumping = true;
    try {
      do {
        this.pumpAgain = false;
        this.fill();
      } while (this.pumpAgain);
    } finally {
      this.pumping = false;
    }
  }

  private sortQueue(): void {
    const jobs = [...this.queue.values()].sort(fifoCompare);
    this.queue.clear();
    for (const job of jobs) this.queue.set(job.stream, job);
    this.queueLast = jobs[jobs.length - 1];
    this.queueInOrder = true;
  }

  private fill(): void {
    if (this.stopping) return;
    let room = this.concurrency - this.running.size - this.starting.size;
    if (room <= 0 || this.queue.size === 0) return;
    const ready = new Map<string, boolean>();
    const isReady = (portal: string) => {
      let r = ready.get(portal);
      if (r === undefined) ready.set(portal, (r = !this.queuePaused(portal) && this.masterAvailable(portal)));
      return r;
    };
    if (!this.queueInOrder) this.sortQueue();
    for (const job of this.queue.values()) {
      if (room <= 0) break;
      if (!isReady(job.portal)) continue;
      room -= 1;
      this.queue.delete(job.stream);
      this.starting.add(job.stream);
      this.options.host.send(job.stream, { type: 'START', at: new Date(this.options.clock.now()).toISOString() }).catch((error: unknown) => {
        this.starting.delete(job.stream);
        this.logger.warn('job could not be started', { stream: job.stream, code: (error as { code?: string }).code });
        // Refused: the feed shows where the job went (cancelled, started elsewhere). Anything
        // else (a lost lease, a store error) changed nothing in the log, so no change will bring
        // the job back: read it again now.
        if (!(error instanceof InvalidCommandError)) this.options.clock.schedule(this.options.clock.now() + START_RETRY_MS, () => this.refresh(job.stream));
        else this.pump();
      });
    }
  }
}

function fifoCompare(a: QueuedJob, b: QueuedJob): number {
  return a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : a.position - b.position;
}
