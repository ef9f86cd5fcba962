// Runs jobs: FIFO by intake time, at most `concurrency` attempts in flight, only for portals
// whose master session is ready (it halts while the session recovers and resumes by itself).
// It owns no state of its own: what is pending, running or halted is read from the live index
// of the log, so after a crash it simply picks up from what the log says.
import type { ActorHost, Clock, Logger } from '@engine/core';
import { InvalidCommandError, silentLogger } from '@engine/core';
import { jobInterruptedEvent, type JobContext } from '@engine/machines';
import type { IndexedStream, LiveStreamIndex } from '../read-model/live-index';

/** States in which an attempt holds a slot (a clone, a browser, the portal's attention). */
export const ATTEMPT_STATES: ReadonlySet<string> = new Set(['cloning', 'validating', 'filling', 'submitting', 'in_doubt', 'reconciling', 'capturing_artifact']);
/** Attempt states a graceful shutdown may interrupt: nothing has been clicked yet. */
const INTERRUPTIBLE_STATES: ReadonlySet<string> = new Set(['cloning', 'validating', 'filling']);
/** Master-session states in which clones may be taken. */
export const MASTER_READY_STATES: ReadonlySet<string> = new Set(['ready', 'probing']);

export interface JobSchedulerOptions {
  host: ActorHost;
  index: LiveStreamIndex;
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
  /** Portals with queued jobs whose master session is not ready, and its state. */
  halted: { portal: string; masterState: string }[];
}

interface QueuedJob {
  stream: string;
  portal: string;
  createdAt: string;
  position: number;
}

export class JobScheduler {
  readonly concurrency: number;
  private readonly queue = new Map<string, QueuedJob>();
  private readonly running = new Set<string>();
  /** START sent, index not yet updated: counted as running so a burst cannot overshoot. */
  private readonly starting = new Set<string>();
  private readonly logger: Logger;
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
    for (const entry of this.options.index.all('job-')) this.track(entry);
    this.unsubscribe = this.options.index.onChange((entry) => {
      if (entry.stream.startsWith('job-')) this.track(entry);
      this.pump();
    });
    this.pump();
  }

  status(): SchedulerStatus {
    const halted = new Map<string, string>();
    for (const job of this.queue.values()) {
      const master = this.masterState(job.portal);
      if (!MASTER_READY_STATES.has(master)) halted.set(job.portal, master);
    }
    return {
      concurrency: this.concurrency,
      inFlight: this.running.size + this.starting.size,
      queued: this.queue.size,
      stopping: this.stopping,
      halted: [...halted].map(([portal, masterState]) => ({ portal, masterState })),
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
    const deadline = Date.now() + timeoutMs;
    while (this.running.size + this.starting.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    this.unsubscribe();
    const interrupted: string[] = [];
    const leftSubmitting: string[] = [];
    const at = new Date(this.options.clock.now()).toISOString();
    for (const stream of this.running) {
      const current = await this.options.host.getState(stream);
      if (!current) continue;
      if (!INTERRUPTIBLE_STATES.has(String(current.state.value))) {
        leftSubmitting.push(stream);
        continue;
      }
      this.options.host.abortEffects(stream, new Error('scheduler stopped'));
      // Recorded as the answer of the cut effect (not a new command), so its late outcome is ignored.
      for (const [effectId, effect] of Object.entries(current.state.effects)) {
        const event = jobInterruptedEvent(effect.type, at);
        if (event && (await this.options.host.report(stream, effectId, event)) === 'recorded') {
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
    const entry = this.options.index.get(stream);
    if (entry) this.track(entry);
    this.pump();
  }

  private track(entry: IndexedStream): void {
    const value = String(entry.state.value);
    this.starting.delete(entry.stream);
    if (this.options.owns && !this.options.owns(entry.stream)) {
      this.running.delete(entry.stream);
      this.queue.delete(entry.stream);
      return;
    }
    if (ATTEMPT_STATES.has(value)) this.running.add(entry.stream);
    else this.running.delete(entry.stream);
    if (value === 'pending') {
      if (!this.queue.has(entry.stream)) {
        const context = entry.state.context as JobContext;
        this.queue.set(entry.stream, { stream: entry.stream, portal: context.portal, createdAt: context.createdAt ?? '', position: entry.position });
      }
    } else this.queue.delete(entry.stream);
  }

  private masterState(portal: string): string {
    const master = this.options.index.get(`master-${portal}`);
    return master ? stateName(master.state.value) : 'absent';
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

  private fill(): void {
    if (this.stopping) return;
    let room = this.concurrency - this.running.size - this.starting.size;
    if (room <= 0 || this.queue.size === 0) return;
    const ready = new Map<string, boolean>();
    const isReady = (portal: string) => {
      let r = ready.get(portal);
      if (r === undefined) ready.set(portal, (r = MASTER_READY_STATES.has(this.masterState(portal))));
      return r;
    };
    for (const job of fifo(this.queue.values())) {
      if (room <= 0) break;
      if (!isReady(job.portal)) continue;
      room -= 1;
      this.queue.delete(job.stream);
      this.starting.add(job.stream);
      this.options.host.send(job.stream, { type: 'START', at: new Date(this.options.clock.now()).toISOString() }).catch((error: unknown) => {
        // Another writer moved the job on (cancelled, started elsewhere): the index will tell.
        this.starting.delete(job.stream);
        this.logger.warn('job could not be started', { stream: job.stream, code: (error as { code?: string }).code });
        // Refused: the index will show where the job went. Anything else (a lost lease, a store
        // error) changes nothing in the log, so nothing would bring the job back: look again.
        if (this.options.owns && !(error instanceof InvalidCommandError)) setTimeout(() => this.refresh(job.stream), 250).unref?.();
        this.pump();
      });
    }
  }
}

function fifo(jobs: Iterable<QueuedJob>): QueuedJob[] {
  return [...jobs].sort((a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : a.position - b.position));
}

function stateName(value: unknown): string {
  return typeof value === 'string' ? value : Object.keys(value as object)[0] ?? 'unknown';
}
