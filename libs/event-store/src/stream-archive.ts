// Archiving of finished streams of one kind (the engine archives job streams: their machine
// finished in submitted, failed, failed_post_submission, needs_review or cancelled): streams
// whose machine reached a final state and whose last event is older than a given age are written to a gzip JSON Lines segment in the archive folder (DATA_DIR/archive), the
// segment's sha256 and every stream's last version, hash and position are recorded as a
// `segment.archived` event in the live `archive` stream (a stream of facts, hash-chained like
// every other), and only then are the streams removed from the hot store. The archive stream is
// the index: an archived job is found, read and verified through it.
//
// Order matters for a crash: a segment without its anchor is an orphan file (its streams are
// still in the store, the next run archives them again in a new segment); an anchor whose
// streams were not all removed yet leaves those in both places, identical, and they are
// removed by the next run (a stream already anchored is not written to a new segment again).
import type { ActorState, Clock, CommittedState, EventStore, Logger, RecordedEvent, StreamHead } from '@engine/core';
import { EngineError, VersionConflictError, silentLogger } from '@engine/core';
import { readSegment, verifySegmentChains, writeSegment, type ArchivedStreamHead } from './archive-segment';

export const ARCHIVE_STREAM = 'archive';
export const SEGMENT_ARCHIVED = 'segment.archived';

/** The data of a `segment.archived` event. */
export interface SegmentArchived {
  /** File name in the archive folder. */
  segment: string;
  /** sha256 (hex) of the segment's bytes as written. */
  sha256: string;
  events: number;
  streams: ArchivedStreamHead[];
}

export interface ArchiveCandidate {
  stream: string;
  version: number;
  /** The machine state it ended in (e.g. `submitted`). */
  state: string;
  lastEventAt: string;
}

export interface ArchiveOptions {
  /** Only streams whose last event is at least this old (ms) are archived. */
  olderThanMs: number;
  /** Report what would be archived, write and remove nothing. */
  dryRun?: boolean;
  /** Most streams per segment. Default 1000. */
  streamsPerSegment?: number;
}

export interface ArchiveRun {
  dryRun: boolean;
  candidates: ArchiveCandidate[];
  segments: SegmentArchived[];
  /** Streams removed from the hot store. */
  removed: number;
  /** Streams left in the store (they changed since they were read); the next run takes them. */
  skipped: { stream: string; reason: string }[];
}

export interface ArchiveProblem {
  segment: string;
  stream?: string;
  version?: number;
  reason: string;
}

export interface StreamArchiveOptions {
  store: EventStore;
  /** The streams archived: those of one machine, e.g. `{ streamPrefix: 'job-', kind: 'job' }`. */
  machine: { streamPrefix: string; id: string };
  /** The archive folder (DATA_DIR/archive). */
  dir: string;
  clock: Clock;
  logger?: Logger;
}

export class StreamArchive {
  private readonly logger: Logger;
  /** Stream → the anchor of the segment holding it, from the archive stream up to `indexedVersion`. */
  private readonly index = new Map<string, SegmentArchived>();
  private readonly anchors: SegmentArchived[] = [];
  private indexedVersion = 0;

  constructor(private readonly options: StreamArchiveOptions) {
    this.logger = options.logger ?? silentLogger;
  }

  get dir(): string {
    return this.options.dir;
  }

  /** Streams of the machine that finished and whose last event is at least `olderThanMs` old, oldest first. */
  async candidates(olderThanMs: number): Promise<ArchiveCandidate[]> {
    if (!Number.isFinite(olderThanMs) || olderThanMs < 0) throw new EngineError('INVALID_ARCHIVE_AGE', 'the age to archive after must be a duration >= 0');
    const cutoff = this.options.clock.now() - olderThanMs;
    return (await this.options.store.heads(this.options.machine.streamPrefix))
      .filter((head) => isFinished(head) && Date.parse(head.lastEvent.meta.at) <= cutoff)
      .map((head) => ({ stream: head.stream, version: head.version, state: stateName(head), lastEventAt: head.lastEvent.meta.at }))
      .sort((a, b) => a.lastEventAt.localeCompare(b.lastEventAt) || a.stream.localeCompare(b.stream));
  }

  async archive(options: ArchiveOptions): Promise<ArchiveRun> {
    const candidates = await this.candidates(options.olderThanMs);
    const run: ArchiveRun = { dryRun: options.dryRun === true, candidates, segments: [], removed: 0, skipped: [] };
    if (run.dryRun || candidates.length === 0) return run;
    await this.refresh();
    const perSegment = options.streamsPerSegment ?? 1_000;
    // Anchored already (a run that stopped before removing them): removed, not written again.
    const leftovers = candidates.filter((c) => this.index.get(c.stream)?.streams.some((s) => s.stream === c.stream && s.version === c.version));
    await this.remove(leftovers, run);
    const fresh = candidates.filter((c) => !leftovers.includes(c));
    for (let i = 0; i < fresh.length; i += perSegment) {
      const chunk = fresh.slice(i, i + perSegment);
      const events: RecordedEvent[] = [];
      for (const c of chunk) events.push(...(await this.options.store.read(c.stream, 1, c.version)));
      const archiveVersion = await this.options.store.streamVersion(ARCHIVE_STREAM);
      const name = `segment-${new Date(this.options.clock.now()).toISOString().replace(/[:.]/g, '')}-${archiveVersion + 1}.jsonl.gz`;
      const written = writeSegment(this.options.dir, name, events);
      // Read back before anything is removed: the file must hold exactly the chains it anchors.
      const problems = verifySegmentChains(readSegment(this.options.dir, name, written.sha256), written.streams);
      if (problems.length > 0) throw new EngineError('ARCHIVE_WRITE_FAILED', `segment ${name} does not read back as written: ${problems[0].reason}`);
      const anchor: SegmentArchived = { segment: written.name, sha256: written.sha256, events: written.events, streams: written.streams };
      await this.options.store.append(
        ARCHIVE_STREAM,
        [{ type: SEGMENT_ARCHIVED, data: anchor, stateAfter: null, meta: { at: new Date(this.options.clock.now()).toISOString() } }],
        { expectedVersion: archiveVersion === 0 ? 'no-stream' : archiveVersion },
      );
      run.segments.push(anchor);
      this.logger.info('archive segment written', { segment: name, streams: chunk.length, events: events.length });
      await this.remove(chunk, run);
    }
    await this.refresh();
    return run;
  }

  /** The anchor of the segment holding an archived `stream`, undefined when it was never archived. */
  async find(stream: string): Promise<SegmentArchived | undefined> {
    await this.refresh();
    return this.index.get(stream);
  }

  /** Every event of an archived stream, from its segment (checked against its anchor); undefined when not archived. */
  async read(stream: string): Promise<RecordedEvent[] | undefined> {
    const anchor = await this.find(stream);
    if (!anchor) return undefined;
    return readSegment(this.options.dir, anchor.segment, anchor.sha256).filter((e) => e.stream === stream);
  }

  /** An archived stream's final committed state, read from its segment; undefined when not archived. */
  async lastState(stream: string): Promise<CommittedState | undefined> {
    const last = (await this.read(stream))?.at(-1);
    return last ? this.committed(last) : undefined;
  }

  /**
   * The final committed state of every archived stream, one segment read at a time (each checked
   * against its anchor). For rebuilding what indexes the streams (the job index): an archived
   * stream is in no store head. A stream anchored in two segments (a run that stopped before
   * removing it, then archived again) is given once, from the segment the index names.
   */
  async *lastStates(): AsyncGenerator<CommittedState> {
    await this.refresh();
    for (const anchor of [...this.anchors]) {
      const mine = new Set(anchor.streams.filter((s) => this.index.get(s.stream) === anchor).map((s) => s.stream));
      if (mine.size === 0) continue;
      const last = new Map<string, RecordedEvent>();
      for (const event of readSegment(this.options.dir, anchor.segment, anchor.sha256)) {
        if (!mine.has(event.stream)) continue;
        const known = last.get(event.stream);
        if (!known || known.version < event.version) last.set(event.stream, event);
      }
      for (const event of last.values()) yield this.committed(event);
    }
  }

  /** The final committed states of those of `streams` that were archived, each segment read once. */
  async lastStatesOf(streams: readonly string[]): Promise<Map<string, CommittedState>> {
    await this.refresh();
    const bySegment = new Map<SegmentArchived, Set<string>>();
    for (const stream of streams) {
      const anchor = this.index.get(stream);
      if (anchor) bySegment.set(anchor, (bySegment.get(anchor) ?? new Set()).add(stream));
    }
    const found = new Map<string, CommittedState>();
    for (const [anchor, wanted] of bySegment) {
      const last = new Map<string, RecordedEvent>();
      for (const event of readSegment(this.options.dir, anchor.segment, anchor.sha256)) {
        if (!wanted.has(event.stream)) continue;
        const known = last.get(event.stream);
        if (!known || known.version < event.version) last.set(event.stream, event);
      }
      for (const [stream, event] of last) found.set(stream, this.committed(event));
    }
    return found;
  }

  private committed(last: RecordedEvent): CommittedState {
    return {
      stream: last.stream,
      kind: this.options.machine.id,
      version: last.version,
      position: last.position,
      state: last.stateAfter as ActorState,
      lastEventType: last.type,
      updatedAt: last.meta.at,
      machineVersion: typeof last.meta.machineVersion === 'string' ? last.meta.machineVersion : null,
    };
  }

  /** Every anchored segment: present, with the anchored bytes, and every stream's chain intact up to its anchored head. */
  async verify(): Promise<{ segments: number; streams: number; events: number; problems: ArchiveProblem[] }> {
    await this.refresh();
    const problems: ArchiveProblem[] = [];
    let streams = 0;
    let events = 0;
    for (const anchor of this.anchors) {
      streams += anchor.streams.length;
      try {
        const content = readSegment(this.options.dir, anchor.segment, anchor.sha256);
        events += content.length;
        for (const p of verifySegmentChains(content, anchor.streams)) problems.push({ segment: anchor.segment, stream: p.stream, version: p.version, reason: p.reason });
      } catch (error) {
        problems.push({ segment: anchor.segment, reason: (error as Error).message });
      }
    }
    return { segments: this.anchors.length, streams, events, problems };
  }

  private async remove(candidates: readonly ArchiveCandidate[], run: ArchiveRun): Promise<void> {
    for (const c of candidates) {
      try {
        await this.options.store.removeStream(c.stream, c.version);
        run.removed += 1;
      } catch (error) {
        if (!(error instanceof VersionConflictError)) throw error;
        run.skipped.push({ stream: c.stream, reason: error.message });
      }
    }
  }

  /** Reads the archive stream's events not indexed yet. */
  private async refresh(): Promise<void> {
    for (const event of await this.options.store.read(ARCHIVE_STREAM, this.indexedVersion + 1)) {
      if (event.type === SEGMENT_ARCHIVED) {
        const anchor = event.data as SegmentArchived;
        this.anchors.push(anchor);
        for (const s of anchor.streams) this.index.set(s.stream, anchor);
      }
      this.indexedVersion = event.version;
    }
  }
}

/** A machine that reached a final state: nothing will ever be appended to its stream again. */
function isFinished(head: StreamHead): boolean {
  return (head.lastEvent.stateAfter as { status?: string } | null)?.status === 'done';
}

function stateName(head: StreamHead): string {
  const value = (head.lastEvent.stateAfter as { value?: unknown } | null)?.value;
  return typeof value === 'string' ? value : JSON.stringify(value);
}
