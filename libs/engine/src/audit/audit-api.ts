// The audit facade: the log as auditors and the inspector read it — a stream's events, its state
// at any version recomputed by replay (from the latest usable stream snapshot at or before it,
// never from the event's stored state), the whole-store verification
// (hash chains and determinism, also run in the background after start), and the artifacts a
// stream's state references. A stream archived out of the store is read from its segment.
import {
  auditStore,
  NotFoundError,
  readForReplay,
  recordedVersion,
  stateAtVersion,
  type ActorHost,
  type ActorState,
  type AnyMachineDefinition,
  type AuditReport,
  type EventStore,
  type Logger,
  type RecordedEvent,
} from '@engine/core';
import type { ArtifactStore } from '@engine/browser';
import type { StreamArchive } from '@engine/event-store';

export interface AuditApiOptions {
  host: ActorHost;
  store: EventStore;
  machines: readonly AnyMachineDefinition[];
  artifacts: ArtifactStore;
  logger: Logger;
  /** Streams archived out of the store: read (and replayed) from their segment. */
  archive?: StreamArchive;
}

export interface StreamEventsPage {
  stream: string;
  events: RecordedEvent[];
  /** Version to read from for the next page; null on the last one. */
  next: number | null;
}

/** A stream's state at a version, recomputed by replay. */
export interface ReplayedState {
  stream: string;
  version: number;
  machineId: string;
  machineVersion: string;
  state: ActorState;
  replayed: true;
}

export class AuditApi {
  private background?: Promise<AuditReport>;
  private lastReport?: AuditReport & { finishedAt: string };

  constructor(private readonly options: AuditApiOptions) {}

  get machines(): readonly AnyMachineDefinition[] {
    return this.options.machines;
  }

  /** The machine of a stream, or undefined for streams of no machine (command inboxes). */
  definitionFor(stream: string): AnyMachineDefinition | undefined {
    return this.options.host.findDefinition(stream);
  }

  /** Every event of a stream, oldest first (an archived stream's from its segment); NotFoundError for an unknown stream. */
  async read(stream: string): Promise<RecordedEvent[]> {
    const events = await this.options.store.read(stream);
    if (events.length > 0) return events;
    const archived = await this.options.archive?.read(stream);
    if (!archived || archived.length === 0) throw new NotFoundError('stream', stream);
    return archived;
  }

  async events(stream: string, from = 1, limit = 1000): Promise<StreamEventsPage> {
    const events = await this.options.store.read(stream, from);
    if (events.length === 0 && (await this.options.store.streamVersion(stream)) === 0) throw new NotFoundError('stream', stream);
    return { stream, events: events.slice(0, limit), next: events.length > limit ? events[limit].version : null };
  }

  /** The state after `version`, recomputed from the log by replay (from the latest usable snapshot at or before it). */
  async stateAt(stream: string, version: number): Promise<ReplayedState> {
    const def = this.options.host.definitionFor(stream);
    const { events, start } = await this.forReplay(stream, version);
    const state = stateAtVersion(def, events, version, start);
    // The version the stream was on there (a stream runs on its own version, not always the newest).
    const at = events.find((e) => e.version === version);
    return { stream, version, machineId: def.id, machineVersion: (at && recordedVersion(at.meta)) ?? def.version, state, replayed: true };
  }

  /** What a replay of `stream` up to `toVersion` reads (readForReplay); NotFoundError for an unknown stream. */
  async forReplay(stream: string, toVersion: number): Promise<Awaited<ReturnType<typeof readForReplay>>> {
    const source = await readForReplay(this.options.store, this.options.host.definitionFor(stream), stream, toVersion);
    if (source.events.length > 0 || (await this.options.store.streamVersion(stream)) > 0) return source;
    // Archived: its segment holds the whole stream, folded from version 1.
    return { events: (await this.read(stream)).filter((e) => e.version <= toVersion) };
  }

  async verify(): Promise<AuditReport> {
    const report = await auditStore(this.options.store, this.options.machines);
    this.lastReport = { ...report, finishedAt: new Date().toISOString() };
    return report;
  }

  /** Started after start-up restore; problems are logged and kept for the API. */
  startBackground(): void {
    this.background ??= this.verify().then(
      (report) => {
        if (!report.ok) this.options.logger.error('background audit found problems', { chain: report.chainProblems.length, replay: report.replayProblems.length });
        else this.options.logger.info('background audit passed', { streams: report.streams, events: report.events });
        return report;
      },
      (error) => {
        this.options.logger.error('background audit could not run', { message: (error as Error).message });
        throw error;
      },
    );
    this.background.catch(() => undefined);
  }

  last(): (AuditReport & { finishedAt: string }) | null {
    return this.lastReport ?? null;
  }

  /** An artifact the stream's latest state references; NotFoundError for anything else. */
  async artifact(stream: string, reference: string, referenced: (state: ActorState | null) => readonly string[]): Promise<Buffer> {
    const latest = await this.options.host.getState(stream);
    if (!latest) throw new NotFoundError('stream', stream);
    if (!referenced(latest.state).includes(reference)) throw new NotFoundError('artifact', reference);
    try {
      return await this.options.artifacts.read(reference);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new NotFoundError('artifact', reference);
      throw error;
    }
  }
}
