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

export interface EventStore {
  /** Appends atomically; throws VersionConflictError when expectedVersion does not hold. Acknowledged = durable. */
  append(stream: string, events: NewEvent[], options: AppendOptions): Promise<AppendResult>;
  /** Events of one stream with version >= fromVersion (default 1), in version order. */
  read(stream: string, fromVersion?: number): Promise<RecordedEvent[]>;
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
   * Health probe (optional, so adapters written before it still satisfy the port): resolves when
   * the store answers a read and would accept a write right now, rejects with the reason
   * otherwise. Writes nothing. Callers without it fall back to a plain read.
   */
  checkWritable?(): Promise<void>;
  close(): Promise<void>;
}
