// Keeps a JobIndex in step with the log. It is a reader of the read feed like every other: each
// committed job state the feed applies (the host's write-through, or the store subscription for
// other writers) becomes a pending row; pending rows are written in one batch per turn of the
// event loop, and a search writes what is pending first, so a search sees every commit the feed
// has shown (read your writes, as the feed gives them).
//
// The position the index records is the feed's `caughtUpTo()` at the moment the batch is taken:
// every event up to it has been applied by the feed, so its row is in the batch or already
// written. At start (the feed loaded from the log's heads), the projection catches up from that
// position: every job whose last event lies beyond it is written again. An index without a
// position (new, cleared, dropped for another schema version) or with one beyond the log (a
// restored older log under a kept index) is rebuilt from every job's head.
import { EngineError, silentLogger, type CommittedState, type Logger, type StateFeed, type StreamState } from '@engine/core';
import { JOB_MACHINE } from '@engine/machines';
import type { JobState } from '../job-intake';
import { jobIndexRow, type JobIndex, type JobIndexRow, type JobSearch } from './job-index';

export interface JobIndexProjectionOptions {
  feed: StateFeed;
  index: JobIndex;
  /**
   * The final states of the jobs archived out of the store (`StreamArchive.lastStates`): a rebuild
   * writes their rows too, so an archived job stays listed and searchable (it is in no store head).
   */
  archived?: () => AsyncIterable<CommittedState>;
  logger?: Logger;
}

export interface JobIndexCatchUp {
  /** True when the index was emptied and rebuilt from every job's head. */
  rebuilt: boolean;
  /** Jobs written by the catch-up. */
  jobs: number;
  /** The index's position before. */
  from: number | null;
}

export class JobIndexProjection {
  private readonly feed: StateFeed;
  private readonly index: JobIndex;
  private readonly logger: Logger;
  private readonly archived: (() => AsyncIterable<CommittedState>) | undefined;
  private readonly unsubscribe: () => void;
  private pending = new Map<string, JobIndexRow>();
  private started: Promise<JobIndexCatchUp> | undefined;
  private live = false;
  private flushScheduled = false;
  private writing: Promise<void> = Promise.resolve();
  private written = -1;

  /** Listens to the feed at once, so nothing applied between construction and start is missed. */
  constructor(options: JobIndexProjectionOptions) {
    this.feed = options.feed;
    this.index = options.index;
    this.logger = options.logger ?? silentLogger;
    this.archived = options.archived;
    this.unsubscribe = this.feed.subscribe(({ entry }) => {
      if (entry.kind !== JOB_MACHINE.id) return;
      const job = this.feed.getOf(JOB_MACHINE, entry.stream.slice(JOB_MACHINE.streamPrefix.length));
      if (job !== entry) return;
      const row = jobIndexRow(job);
      this.pending.set(row.jobId, row);
      this.scheduleFlush();
    });
  }

  /** Catches up with the feed (call it once the feed holds the log's heads: after the host started). Once. */
  start(): Promise<JobIndexCatchUp> {
    this.started ??= this.catchUp();
    return this.started;
  }

  /** A page of rows; what the feed has applied so far is written first. */
  async search(query: JobSearch): Promise<JobIndexRow[]> {
    if (!this.started) throw new EngineError('JOB_INDEX_NOT_STARTED', 'the job index is searched before the engine started');
    await this.started;
    await this.flush();
    return this.index.search(query);
  }

  /** Every event up to it is indexed (null: not yet). */
  position(): Promise<number | null> {
    return this.index.position();
  }

  /** Stops listening and writes what is pending. The index itself is closed by its owner. */
  async stop(): Promise<void> {
    this.unsubscribe();
    // The position too, when only it moved: the next start has less to catch up.
    if (this.live) await this.flush(true);
  }

  /** Writes the pending rows now (one transaction). A failed write keeps them pending and rejects. */
  flush(positionToo = false): Promise<void> {
    const run = this.writing.then(() => this.writePending(positionToo));
    this.writing = run.catch(() => undefined);
    return run;
  }

  private async catchUp(): Promise<JobIndexCatchUp> {
    const from = await this.index.position();
    const rebuilt = from === null || from > this.feed.position;
    if (rebuilt) await this.index.clear();
    let jobs = 0;
    for (const entry of this.feed.allOf(JOB_MACHINE)) {
      if (!rebuilt && entry.position <= (from as number)) continue;
      const row = jobIndexRow(entry);
      const known = this.pending.get(row.jobId);
      if (!known || known.version < row.version) this.pending.set(row.jobId, row);
      jobs += 1;
    }
    if (rebuilt && this.archived) {
      for await (const entry of this.archived()) {
        if (entry.kind !== JOB_MACHINE.id) continue;
        const row = jobIndexRow(entry as StreamState<JobState>);
        // A job in the store too (archived, not yet removed) is indexed from the store's head.
        if (this.pending.has(row.jobId)) continue;
        this.pending.set(row.jobId, row);
        jobs += 1;
      }
    }
    this.live = true;
    // Even with nothing to write (an empty store), the position is recorded: the next start knows the index is there.
    await this.flush(true);
    this.logger.info('job index caught up', { rebuilt, jobs, from });
    return { rebuilt, jobs, from };
  }

  private scheduleFlush(): void {
    if (!this.live || this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => {
      this.flushScheduled = false;
      this.flush().catch((error) => this.logger.error('job index write failed; the rows stay pending', { code: (error as { code?: string })?.code ?? (error as Error)?.name }));
    });
  }

  private async writePending(positionToo: boolean): Promise<void> {
    if (!this.live) return;
    const position = this.feed.caughtUpTo();
    if (this.pending.size === 0 && !(positionToo && position > this.written)) return;
    const batch = this.pending;
    this.pending = new Map();
    try {
      await this.index.write([...batch.values()], position);
      this.written = Math.max(this.written, position);
    } catch (error) {
      // Rows applied meanwhile are newer: only the ones not replaced go back.
      for (const [jobId, row] of batch) if (!this.pending.has(jobId)) this.pending.set(jobId, row);
      throw error;
    }
  }
}
