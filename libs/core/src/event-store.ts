// The EventStore port. Every adapter (memory, sqlite, postgres) passes one conformance suite.
import type { NewEvent, RecordedEvent } from './recorded-event';

/** `no-stream`: the stream must not exist; a number: the stream's current version must equal it; `any`: no check. */
export type ExpectedVersion = number | 'no-stream' | 'any';

export interface AppendResult {
  stream: string;
  /** The stream's version after the append (version of the last appended event). */
  version: number;
  /** Global position of the last appended event. */
  position: number;
  /**
   * Where each appended event landed, in the order given: a writer that publishes what it
   * committed (the actor host's read feed) needs no read-back of its own events.
   */
  events: AppendedEvent[];
}

/** The store-assigned part of one appended event. */
export interface AppendedEvent {
  version: number;
  position: number;
  hash: string;
  prevHash: string;
}

export interface StreamHead {
  stream: string;
  version: number;
  lastEvent: RecordedEvent;
}

export interface ChainProblem {
  stream: string;
  version: number;
  reason: string;
}

export interface Subscription {
  close(): Promise<void>;
}

export type EventHandler = (event: RecordedEvent) => void | Promise<void>;

export interface SubscribeOptions {
  /**
   * Called when the handler throws or rejects. The subscription stops there (the failed event
   * counts as not delivered, so a consumer can resubscribe from the last position it handled);
   * the store and its other subscriptions carry on. Default: a process warning.
   */
  onError?: (error: unknown, event: RecordedEvent) => void;
}

export interface AppendOptions {
  expectedVersion: ExpectedVersion;
  /**
   * The fencing token of the lease this writer holds on `stream` (scale-out). A store shared by
   * several processes (PostgreSQL) refuses the append with FencedOffError, inside the append's
   * transaction, unless it is the lease's current token. A single-process store (memory,
   * SQLite) has no other holder to fence off and ignores it.
   */
  fence?: number;
}

/**
 * A cache of a stream's actor state at one version, so that replaying a long stream can start
 * there instead of at version 1. The hash-chained log stays the truth: a snapshot is tied to it
 * by the chain hash of the event at `version`, and one written by another machine version is
 * not used (the stream is folded from the start instead).
 */
export interface StreamSnapshot {
  stream: string;
  /** The stream version the state is after; the host takes them at the end of an append. */
  version: number;
  /** The chain hash of the stream's event at `version`. */
  hash: string;
  machineId: string;
  machineVersion: string;
  /** The persisted actor state after `version` (machine snapshot plus host bookkeeping). */
  state: unknown;
  /** ISO time from the writer's clock. */
  takenAt: string;
}

export interface EventStore {
  /** Appends atomically; throws VersionConflictError when expectedVersion does not hold. Acknowledged = durable. */
  append(stream: string, events: NewEvent[], options: AppendOptions): Promise<AppendResult>;
  /** Events of one stream with fromVersion (default 1) <= version <= toVersion (default: the last), in version order. */
  read(stream: string, fromVersion?: number, toVersion?: number): Promise<RecordedEvent[]>;
  /** Events of all streams with position > fromPosition (default 0), in position order, at most `limit`. */
  readAll(fromPosition?: number, limit?: number): Promise<RecordedEvent[]>;
  /** Current version of a stream, 0 when it does not exist. */
  streamVersion(stream: string): Promise<number>;
  /** The last event of every stream whose name starts with `prefix` (all when omitted): one read for start-up restore. */
  heads(prefix?: string): Promise<StreamHead[]>;
  /**
   * Delivers every event with position > fromPosition in order: catch-up first, then live, no gaps,
   * no repeats. The handler is awaited before the next event is delivered. A delivered event may
   * be the same object for every subscriber of the store: handlers read it, never change it.
   */
  subscribe(fromPosition: number, handler: EventHandler, options?: SubscribeOptions): Subscription;
  /** Recomputes hash chains (one stream, or all) and reports every stream whose chain breaks, with the first bad version. */
  verify(stream?: string): Promise<ChainProblem[]>;
  /**
   * Keeps a snapshot (replacing one at the same version). Throws SnapshotNotInChainError, and
   * keeps nothing, unless the stream's event at `snapshot.version` has the hash `snapshot.hash`.
   */
  saveSnapshot(snapshot: StreamSnapshot): Promise<void>;
  /** The snapshot of `stream` with the highest version <= `atOrBefore` (default: any), undefined when none. */
  latestSnapshot(stream: string, atOrBefore?: number): Promise<StreamSnapshot | undefined>;
  /**
   * Removes a whole stream from the store — its events, head and snapshots — once it has been
   * archived elsewhere (the `archive` stream anchors where). Throws VersionConflictError, removing
   * nothing, unless the stream exists at exactly `expectedVersion`. Other streams, positions and
   * chains are untouched; the stream's name can be used again afterwards.
   */
  removeStream(stream: string, expectedVersion: number): Promise<void>;
  /**
   * Health probe (optional, so adapters written before it still satisfy the port): resolves when
   * the store answers a read and would accept a write right now, rejects with the reason
   * otherwise. Writes nothing. Callers without it fall back to a plain read.
   */
  checkWritable?(): Promise<void>;
  close(): Promise<void>;
}
