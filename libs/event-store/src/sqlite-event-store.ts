// The embedded default EventStore: one SQLite file in WAL mode, one process. Appends are
// durable when acknowledged (synchronous=FULL unless configured otherwise) and group-committed:
// all appends queued in one event-loop turn, on any streams, share one transaction and one
// fsync, while each is still checked against its own expectedVersion and fails alone.
// Subscriptions read what was just committed from the rows the commit wrote, kept in memory
// (the committed tail), not back from the file, each row decoded once for all of them; a row of
// an event that came with its canonical text (the host's) is not decoded at all: that event is it.
import type Database from 'better-sqlite3';
import {
  EngineError,
  GENESIS_HASH,
  SnapshotNotInChainError,
  type AppendedEvent,
  VersionConflictError,
  type AppendResult,
  type ChainProblem,
  type EventHandler,
  type EventStore,
  type ExpectedVersion,
  type NewEvent,
  type RecordedEvent,
  type StreamHead,
  type StreamSnapshot,
  type SubscribeOptions,
  type Subscription,
} from '@engine/core';
import { SubscriptionSet } from './subscription-set';
import { verifyChains, type StreamHeadRecord } from './chain-verifier';
import { CommitQueue } from './commit-queue';
import { CommitSignal } from './commit-signal';
import { openEventStoreFile, type SynchronousMode } from './sqlite-schema';
import { encodeSnapshot, snapshotBound, toStreamSnapshot, type StoredSnapshot } from './stored-snapshot';
import { chainEvent, checkExpectedVersion, checkRemoval, encodeEvents, storeClosedError, toRecordedEvent, versionMatches, type EncodedEvent, type StoredEvent } from './stored-event';

export interface SqliteEventStoreOptions {
  /** Default FULL: an acknowledged append survives power loss. */
  synchronous?: SynchronousMode;
  /** Default true. false commits every append in its own transaction (the benchmark's naive baseline). */
  groupCommit?: boolean;
}

/** Counters for observability: how well group commit batches. */
export interface SqliteEventStoreStats {
  /** Write transactions committed. */
  transactions: number;
  /** Appends committed (conflicting appends are not counted). */
  appends: number;
}

interface TailRow {
  row: StoredEvent;
  /** The row as subscribers get it: the appended event's own parts when they came with their text, else decoded for the first one that reads it. */
  decoded: RecordedEvent | undefined;
}

interface PendingAppend {
  stream: string;
  events: EncodedEvent[];
  expectedVersion: ExpectedVersion;
  resolve(result: AppendResult): void;
  reject(error: unknown): void;
}

/** How long a health probe waits for another connection's write lock. */
const HEALTH_LOCK_WAIT_MS = 100;

/** Rows of the latest commits kept for subscriptions: far more than one batch, so a live subscriber never reads the file. */
const TAIL_ROWS = 2048;

const EVENT_COLUMNS = 'position, stream, version, type, data, state_after AS stateAfter, meta, prev_hash AS prevHash, hash';
const HEAD_COLUMNS = 'stream, version, last_hash AS lastHash, last_position AS lastPosition';

export class SqliteEventStore implements EventStore {
  private readonly db: Database.Database;
  private readonly queue: CommitQueue<PendingAppend>;
  private readonly commits = new CommitSignal();
  private readonly subscriptions = new SubscriptionSet();
  private readonly counters: SqliteEventStoreStats = { transactions: 0, appends: 0 };
  /** The latest committed rows, in position order and without a gap between them. */
  private tail: TailRow[] = [];
  private closed = false;
  private closing: Promise<void> | undefined;
  private readonly sql: ReturnType<typeof prepareStatements>;

  /** Opens (or creates) the store in `file`; throws StoreCorruptError / UnknownSchemaVersionError naming it. */
  constructor(
    readonly file: string,
    options: SqliteEventStoreOptions = {},
  ) {
    this.db = openEventStoreFile(file, options.synchronous ?? 'FULL');
    this.sql = prepareStatements(this.db);
    // Without group commit, appends still queue for the next turn of the event loop (same scheduling
    // cost as a batch, and a writer loop cannot starve timers and I/O), then commit one by one.
    this.queue = new CommitQueue(options.groupCommit === false ? (batch) => batch.forEach((one) => this.commit([one])) : (batch) => this.commit(batch));
  }

  append(stream: string, events: NewEvent[], options: { expectedVersion: ExpectedVersion }): Promise<AppendResult> {
    return new Promise((resolve, reject) => {
      this.assertOpen('append');
      checkExpectedVersion(options.expectedVersion);
      const pending: PendingAppend = { stream, events: encodeEvents(stream, events), expectedVersion: options.expectedVersion, resolve, reject };
      this.queue.push(pending);
    });
  }

  async read(stream: string, fromVersion = 1, toVersion?: number): Promise<RecordedEvent[]> {
    this.assertOpen('read');
    if (toVersion !== undefined) return (this.sql.readStreamRange.all(stream, fromVersion, toVersion) as StoredEvent[]).map(toRecordedEvent);
    return (this.sql.readStream.all(stream, fromVersion) as StoredEvent[]).map(toRecordedEvent);
  }

  async readAll(fromPosition = 0, limit = Number.POSITIVE_INFINITY): Promise<RecordedEvent[]> {
    this.assertOpen('read');
    // SQLite spells "no limit" as -1.
    return this.readAfter(fromPosition, Number.isFinite(limit) ? limit : -1);
  }

  async streamVersion(stream: string): Promise<number> {
    this.assertOpen('read');
    return (this.sql.head.get(stream) as StreamHeadRecord | undefined)?.version ?? 0;
  }

  async heads(prefix = ''): Promise<StreamHead[]> {
    this.assertOpen('read');
    const heads: StreamHead[] = [];
    // Streams sharing a prefix are one contiguous key range starting at the prefix itself.
    for (const row of this.sql.headsFrom.iterate(prefix) as Iterable<StoredEvent>) {
      if (!row.stream.startsWith(prefix)) break;
      heads.push({ stream: row.stream, version: row.version, lastEvent: toRecordedEvent(row) });
    }
    return heads;
  }

  subscribe(fromPosition: number, handler: EventHandler, options?: SubscribeOptions): Subscription {
    this.assertOpen('subscribe');
    return this.subscriptions.subscribe((from, limit) => this.readCommitted(from, limit), this.commits, fromPosition, handler, options);
  }

  async verify(stream?: string): Promise<ChainProblem[]> {
    this.assertOpen('verify');
    if (stream !== undefined) {
      return verifyChains(this.sql.readStream.iterate(stream, 1) as Iterable<StoredEvent>, this.sql.head.all(stream) as StreamHeadRecord[]);
    }
    return verifyChains(this.sql.allByStream.iterate() as Iterable<StoredEvent>, this.sql.allHeads.all() as StreamHeadRecord[]);
  }

  /** Written on its own, not through group commit: a cache entry, one per many appends. */
  async saveSnapshot(snapshot: StreamSnapshot): Promise<void> {
    this.assertOpen('append');
    const row = encodeSnapshot(snapshot);
    // The check and the write in one transaction: the event cannot change in between.
    this.db.transaction(() => {
      const event = this.sql.eventHash.get(row.stream, row.version) as { hash: string } | undefined;
      if (event?.hash !== row.hash) throw new SnapshotNotInChainError(row.stream, row.version);
      this.sql.upsertSnapshot.run(row);
    }).immediate();
  }

  /** One transaction, after whatever is queued for the stream has committed (appends commit synchronously in their turn). */
  async removeStream(stream: string, expectedVersion: number): Promise<void> {
    this.assertOpen('append');
    checkRemoval(stream, expectedVersion);
    this.db.transaction(() => {
      const actual = (this.sql.head.get(stream) as StreamHeadRecord | undefined)?.version ?? 0;
      if (actual !== expectedVersion) throw new VersionConflictError(stream, expectedVersion, actual);
      this.sql.deleteEvents.run(stream);
      this.sql.deleteHead.run(stream);
      this.sql.deleteSnapshots.run(stream);
    }).immediate();
  }

  async latestSnapshot(stream: string, atOrBefore?: number): Promise<StreamSnapshot | undefined> {
    this.assertOpen('read');
    const row = this.sql.latestSnapshot.get(stream, snapshotBound(atOrBefore)) as StoredSnapshot | undefined;
    return row && toStreamSnapshot(row);
  }

  stats(): SqliteEventStoreStats {
    return { ...this.counters };
  }

  /** The durability the connection really runs with, read back from SQLite rather than from the options. */
  get synchronous(): SynchronousMode {
    const modes: SynchronousMode[] = ['OFF', 'NORMAL', 'FULL', 'EXTRA'];
    return modes[this.db.pragma('synchronous', { simple: true }) as number];
  }

  /**
   * A cheap read, then the write lock taken and given back (`BEGIN IMMEDIATE; ROLLBACK`): fails
   * when the file cannot be read, is read-only, or another connection holds the write lock. The
   * lock wait is cut to HEALTH_LOCK_WAIT_MS because better-sqlite3 blocks the event loop while
   * it waits. Appends never interleave with it: commits run synchronously too.
   */
  async checkWritable(): Promise<void> {
    this.assertOpen('append');
    this.sql.anyHead.get();
    const previousWait = this.db.pragma('busy_timeout', { simple: true }) as number;
    this.db.pragma(`busy_timeout = ${HEALTH_LOCK_WAIT_MS}`);
    try {
      this.sql.begin.run();
      this.sql.rollback.run();
    } catch (error) {
      throw new EngineError('STORE_NOT_WRITABLE', `event store ${this.file}: cannot take the write lock: ${(error as Error).message}`, { cause: error });
    } finally {
      this.db.pragma(`busy_timeout = ${previousWait}`);
    }
  }

  /** Commits what is queued, stops subscriptions, closes the file. Idempotent. */
  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    this.queue.flush();
    this.closed = true;
    await this.subscriptions.closeAll();
    this.db.close();
  }

  /**
   * One transaction for the whole batch. An append whose expectedVersion does not match fails
   * before it writes anything, so the others need no protection from it; only a write that fails
   * half-way (a constraint broken behind the store's back, a disk error) undoes the batch, which is
   * then written again with a savepoint per append, so that one failure does not sink the others.
   */
  private commit(batch: PendingAppend[]): void {
    if (!this.commitBatch(batch, false)) this.commitBatch(batch, true);
  }

  /**
   * Writes and commits the batch; false when, without savepoints, a write failed half-way (the
   * transaction is then rolled back, nothing settled). With savepoints every append is settled.
   */
  private commitBatch(batch: PendingAppend[], savepoints: boolean): boolean {
    const outcomes: Array<() => void> = [];
    const rows: TailRow[] = [];
    let committed = 0;
    try {
      this.sql.begin.run();
      for (const pending of batch) {
        if (savepoints) this.sql.savepoint.run();
        const rowsBefore = rows.length;
        try {
          const result = this.write(pending, rows);
          if (savepoints) this.sql.release.run();
          committed++;
          outcomes.push(() => pending.resolve(result));
        } catch (error) {
          if (!savepoints && !(error instanceof VersionConflictError)) {
            this.sql.rollback.run();
            return false;
          }
          if (savepoints) {
            this.sql.rollbackTo.run();
            this.sql.release.run();
          }
          rows.length = rowsBefore;
          outcomes.push(() => pending.reject(error));
        }
      }
      this.sql.commit.run();
    } catch (error) {
      if (this.db.inTransaction) this.sql.rollback.run();
      const failure = new EngineError('STORE_WRITE_FAILED', `event store ${this.file}: commit failed, nothing in this batch was written: ${(error as Error).message}`, { cause: error });
      for (const pending of batch) pending.reject(failure);
      return true;
    }
    this.counters.transactions++;
    this.counters.appends += committed;
    this.keepInTail(rows);
    for (const settle of outcomes) settle();
    if (committed > 0) this.commits.notify();
    return true;
  }

  /** Writes one append; its rows (with their positions) are added to `rows`. */
  private write({ stream, events, expectedVersion }: PendingAppend, rows: TailRow[]): AppendResult {
    const head = this.sql.head.get(stream) as StreamHeadRecord | undefined;
    const actual = head?.version ?? 0;
    if (!versionMatches(expectedVersion, actual)) throw new VersionConflictError(stream, expectedVersion, actual);
    let version = actual;
    let hash = head?.lastHash ?? GENESIS_HASH;
    let position = 0;
    const appended: AppendedEvent[] = [];
    for (const event of events) {
      const row = chainEvent(stream, ++version, hash, event);
      // Positional parameters: binding by name walks the object's keys on every insert.
      position = Number(this.sql.insertEvent.run(stream, version, row.type, row.data, row.stateAfter, row.meta, row.prevHash, row.hash).lastInsertRowid);
      const stored: StoredEvent = { position, stream, version, type: row.type, data: row.data, stateAfter: row.stateAfter, meta: row.meta, prevHash: row.prevHash, hash: row.hash };
      const source = event.source;
      const decoded = source && { stream, version, position, type: source.type, data: source.data, stateAfter: source.stateAfter, meta: source.meta, hash: row.hash, prevHash: row.prevHash };
      rows.push({ row: stored, decoded });
      appended.push({ version, position, hash: row.hash, prevHash: row.prevHash });
      hash = row.hash;
    }
    this.sql.upsertHead.run({ stream, version, lastHash: hash, lastPosition: position });
    return { stream, version, position, events: appended };
  }

  /**
   * Adds a commit's rows to the tail. Rows that do not follow the tail without a gap (another
   * connection wrote in between) start a new tail: the tail never claims to hold all of a range
   * it does not.
   */
  private keepInTail(rows: TailRow[]): void {
    if (rows.length === 0) return;
    const last = this.tail[this.tail.length - 1];
    if (!last || rows[0].row.position !== last.row.position + 1) this.tail = [];
    for (const row of rows) this.tail.push(row);
    if (this.tail.length > 2 * TAIL_ROWS) this.tail = this.tail.slice(-TAIL_ROWS);
  }

  /**
   * What a subscription reads: from the tail when it holds everything after `fromPosition` that
   * this store committed, from the file otherwise (a subscriber catching up from further back).
   * Rows another connection appended after this store's last commit are read at the next one.
   * The store's subscribers share the decoded event: delivered events are read-only, as
   * everywhere on the read side.
   */
  private readCommitted(fromPosition: number, limit: number): RecordedEvent[] {
    const first = this.tail[0];
    if (!first || fromPosition < first.row.position - 1) return this.readAfter(fromPosition, limit);
    const start = fromPosition - first.row.position + 1;
    return this.tail.slice(start, start + limit).map((entry) => (entry.decoded ??= toRecordedEvent(entry.row)));
  }

  private readAfter(fromPosition: number, limit: number): RecordedEvent[] {
    return (this.sql.readAll.all(fromPosition, limit) as StoredEvent[]).map(toRecordedEvent);
  }

  private assertOpen(what: string): void {
    if (this.closed) throw storeClosedError(what);
  }
}

function prepareStatements(db: Database.Database) {
  return {
    begin: db.prepare('BEGIN IMMEDIATE'),
    commit: db.prepare('COMMIT'),
    rollback: db.prepare('ROLLBACK'),
    savepoint: db.prepare('SAVEPOINT append'),
    release: db.prepare('RELEASE append'),
    rollbackTo: db.prepare('ROLLBACK TO append'),
    head: db.prepare(`SELECT ${HEAD_COLUMNS} FROM streams WHERE stream = ?`),
    allHeads: db.prepare(`SELECT ${HEAD_COLUMNS} FROM streams`),
    anyHead: db.prepare('SELECT stream FROM streams LIMIT 1'),
    insertEvent: db.prepare(
      'INSERT INTO events (stream, version, type, data, state_after, meta, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    ),
    upsertHead: db.prepare(
      `INSERT INTO streams (stream, version, last_hash, last_position) VALUES (@stream, @version, @lastHash, @lastPosition)
       ON CONFLICT (stream) DO UPDATE SET version = excluded.version, last_hash = excluded.last_hash, last_position = excluded.last_position`,
    ),
    readStream: db.prepare(`SELECT ${EVENT_COLUMNS} FROM events WHERE stream = ? AND version >= ? ORDER BY version`),
    readStreamRange: db.prepare(`SELECT ${EVENT_COLUMNS} FROM events WHERE stream = ? AND version >= ? AND version <= ? ORDER BY version`),
    readAll: db.prepare(`SELECT ${EVENT_COLUMNS} FROM events WHERE position > ? ORDER BY position LIMIT ?`),
    allByStream: db.prepare(`SELECT ${EVENT_COLUMNS} FROM events ORDER BY stream, version`),
    deleteEvents: db.prepare('DELETE FROM events WHERE stream = ?'),
    deleteHead: db.prepare('DELETE FROM streams WHERE stream = ?'),
    deleteSnapshots: db.prepare('DELETE FROM snapshots WHERE stream = ?'),
    eventHash: db.prepare('SELECT hash FROM events WHERE stream = ? AND version = ?'),
    upsertSnapshot: db.prepare(
      `INSERT INTO snapshots (stream, version, hash, machine_id, machine_version, state, taken_at)
       VALUES (@stream, @version, @hash, @machineId, @machineVersion, @state, @takenAt)
       ON CONFLICT (stream, version) DO UPDATE SET hash = excluded.hash, machine_id = excluded.machine_id,
         machine_version = excluded.machine_version, state = excluded.state, taken_at = excluded.taken_at`,
    ),
    latestSnapshot: db.prepare(
      `SELECT stream, version, hash, machine_id AS machineId, machine_version AS machineVersion, state, taken_at AS takenAt
       FROM snapshots WHERE stream = ? AND version <= ? ORDER BY version DESC LIMIT 1`,
    ),
    headsFrom: db.prepare(
      `SELECT e.position, e.stream, e.version, e.type, e.data, e.state_after AS stateAfter, e.meta, e.prev_hash AS prevHash, e.hash
       FROM streams s JOIN events e ON e.position = s.last_position WHERE s.stream >= ? ORDER BY s.stream`,
    ),
  };
}
