// The shared EventStore for several engine processes: PostgreSQL through a `pg` pool. Same
// contract as the SQLite adapter (expectedVersion per append, per-stream hash chain, `streams`
// head table, global positions, catch-up subscriptions), and group commit: appends that arrive
// together, on any streams, share one transaction and one WAL flush, each still checked
// against its own expectedVersion and failing alone.
//
// Global order under concurrent writers (the choice, and why). A position taken from a
// sequence becomes visible at COMMIT, and transactions commit in any order: if A takes 10 and
// B takes 11 and commits first, a reader that moved on to 11 would skip 10 forever. So:
//  1. Every row records its transaction (`transaction_id xid8 DEFAULT pg_current_xact_id()`)
//     and readers by position only take rows with
//     `transaction_id < pg_snapshot_xmin(pg_current_snapshot())`: transactions below the
//     horizon have all ended, so nothing committed later can carry such an id.
//  2. That alone is not enough, because a transaction's id and its positions are taken at
//     different moments (A takes id 100; C takes id 150 and position 9; A takes position 10
//     and commits: with C running the horizon is 150, so 10 is visible and 9 comes later; the
//     multi-process test in the spec fails exactly so without what follows). Appends take their
//     transaction id, check versions, and insert their rows inside one short section under a
//     session-level advisory lock, released just before COMMIT. Ids and positions are then
//     handed out in the same order, so "every row below the horizon" is always a prefix of the
//     positions that will ever exist. Releasing before COMMIT lets the next batch write while
//     this one waits for its WAL flush, and lets PostgreSQL flush both commits together.
// This is the Marten/Emmett/Eventuous-style filter, made exact by the ordered section, with no
// gap detection and no timeouts. The costs: appends of all processes pass through the section
// one batch at a time (group commit amortizes it); and a transaction that runs long anywhere
// in the cluster (even without touching events) holds the horizon back, delaying readers until
// it ends, while appends carry on. A store waits (briefly) for its own commits to pass the
// horizon before readAll (bounded: OWN_WRITES_WAIT_MS), so an append that resolved is in the
// next readAll.
//
// LISTEN/NOTIFY only wakes subscribers (postgres-commit-listener.ts); they read the table.
//
// Fencing. An append may carry the fencing token of the writer's lease on its stream (the
// `stream_leases` table of libs/engine/src/scale-out, whose claims bump `fence`). Inside the
// append's ordered section the lease row is read FOR KEY SHARE: a claim committed earlier is
// seen (and the append refused with FencedOffError unless its token is the current one); a claim
// still running is waited for and then seen; and a claim arriving later skips the row (claims
// lock FOR UPDATE SKIP LOCKED) until this transaction has committed, so the new holder reads the
// log after it. Either the old holder's append lands before the new holder takes over, or it
// never lands. KEY SHARE, not SHARE: renewals and inbox marks are plain updates (FOR NO KEY
// UPDATE), which neither wait for it nor make it wait, so no append waits inside the section
// for a renewal's commit. (The lock must be taken inside the section: locking a row assigns the
// transaction its id, and ids are handed out there, in position order.)
import { Pool, type PoolClient, type QueryResult } from 'pg';
import {
  EngineError,
  FencedOffError,
  VersionConflictError,
  type AppendOptions,
  GENESIS_HASH,
  SnapshotNotInChainError,
  type AppendedEvent,
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
import { CommitBatcher } from './postgres-commit-batcher';
import { COMMIT_CHANNEL, PostgresCommitListener } from './postgres-commit-listener';
import { redactUrl } from './postgres-redact-url';
import { ensurePostgresSchema } from './postgres-schema';
import { encodeSnapshot, snapshotBound, toStreamSnapshot, type StoredSnapshot } from './stored-snapshot';
import { chainEvent, checkExpectedVersion, checkRemoval, encodeEvents, storeClosedError, toRecordedEvent, versionMatches, type StoredEvent } from './stored-event';

export interface PostgresEventStoreOptions {
  /** Connections in the pool (reads and writes; the subscription listener has its own). Default 10. */
  poolSize?: number;
  /** Default true. false commits every append in its own transaction (the benchmark's naive baseline). */
  groupCommit?: boolean;
  /** Group-commit transactions in flight at once: one writes while another flushes. Default 2. */
  writeConcurrency?: number;
  /** Most appends in one transaction. Default 1000. */
  maxBatch?: number;
  /** Subscriptions re-read at least this often even without a notification. Default 500 ms. */
  pollIntervalMs?: number;
}

/** Counters for observability: how well group commit batches. */
export interface PostgresEventStoreStats {
  /** Write transactions committed. */
  transactions: number;
  /** Appends committed (conflicting appends are not counted). */
  appends: number;
}

interface PendingAppend {
  stream: string;
  events: ReturnType<typeof encodeEvents>;
  expectedVersion: ExpectedVersion;
  fence: number | undefined;
  resolve(result: AppendResult): void;
  reject(error: unknown): void;
}

/** The advisory lock of the ordered append section (an arbitrary constant owned by this store). */
const APPEND_SECTION_LOCK = 0x65760002;
/** A race between processes creating the same stream, or a deadlock: the batch is retried whole. */
const RETRYABLE_CODES = new Set(['23505', '40P01', '40001']);
const MAX_ATTEMPTS = 5;
/** How long a read waits for this store's own last commit to pass the horizon (read your writes). */
const OWN_WRITES_WAIT_MS = 2_000;
const VERIFY_STREAMS_PER_PAGE = 200;
/** How long a health probe waits for a lock that would block appends (DDL, an explicit LOCK). */
const HEALTH_LOCK_WAIT_MS = 1_000;

const EVENT_COLUMNS = 'position, stream, version, type, data, state_after, meta, prev_hash, hash';

export class PostgresEventStore implements EventStore {
  /** Where the store is, password redacted: safe for logs and errors. */
  readonly location: string;
  private readonly pool: Pool;
  private readonly initialized: Promise<void>;
  private readonly batcher: CommitBatcher<PendingAppend>;
  private readonly listener: PostgresCommitListener;
  private readonly subscriptions = new SubscriptionSet();
  private readonly counters: PostgresEventStoreStats = { transactions: 0, appends: 0 };
  /** The newest transaction this store committed: reads wait until the horizon passes it. */
  private lastCommittedXid = 0n;
  private closed = false;
  private closing: Promise<void> | undefined;

  /** Opens the store and makes sure its schema is there; throws UnknownSchemaVersionError / StoreCorruptError. */
  static async open(url: string, options: PostgresEventStoreOptions = {}): Promise<PostgresEventStore> {
    const store = new PostgresEventStore(url, options);
    try {
      await store.ready();
    } catch (error) {
      await store.close();
      throw error;
    }
    return store;
  }

  /** Starts connecting at once; every call waits for that. Use `open()` (or `ready()`) to see schema errors up front. */
  constructor(url: string, options: PostgresEventStoreOptions = {}) {
    this.location = redactUrl(url);
    const groupCommit = options.groupCommit ?? true;
    const poolSize = options.poolSize ?? 10;
    this.pool = new Pool({ connectionString: url, max: poolSize });
    // An idle pooled connection that drops is replaced on next use; without a listener it would crash the process.
    this.pool.on('error', (error) => process.emitWarning(`event store ${this.location}: idle connection failed: ${error.message}`));
    this.initialized = ensurePostgresSchema(this.pool, this.location);
    this.initialized.catch(() => undefined);
    this.batcher = new CommitBatcher(
      (batch) => this.commit(batch),
      groupCommit ? (options.writeConcurrency ?? 2) : poolSize,
      groupCommit ? (options.maxBatch ?? 1000) : 1,
    );
    this.listener = new PostgresCommitListener({ connectionString: url }, options.pollIntervalMs ?? 500, (error) =>
      process.emitWarning(`event store ${this.location}: commit listener connection failed, reconnecting: ${(error as Error).message}`),
    );
  }

  /** Resolves once connected with a schema this build knows. */
  ready(): Promise<void> {
    return this.initialized;
  }

  append(stream: string, events: NewEvent[], options: AppendOptions): Promise<AppendResult> {
    return new Promise((resolve, reject) => {
      this.assertOpen('append');
      checkExpectedVersion(options.expectedVersion);
      if (options.fence !== undefined && !Number.isSafeInteger(options.fence)) throw new EngineError('INVALID_FENCE', `stream ${stream}: fencing token must be an integer`);
      this.batcher.push({ stream, events: encodeEvents(stream, events), expectedVersion: options.expectedVersion, fence: options.fence, resolve, reject });
    });
  }

  async read(stream: string, fromVersion = 1, toVersion?: number): Promise<RecordedEvent[]> {
    await this.opened('read');
    const result =
      toVersion === undefined
        ? await this.pool.query(`SELECT ${EVENT_COLUMNS} FROM events WHERE stream = $1 AND version >= $2 ORDER BY version`, [stream, fromVersion])
        : await this.pool.query(`SELECT ${EVENT_COLUMNS} FROM events WHERE stream = $1 AND version >= $2 AND version <= $3 ORDER BY version`, [stream, fromVersion, toVersion]);
    return result.rows.map((row) => toRecordedEvent(storedEvent(row)));
  }

  async readAll(fromPosition = 0, limit = Number.POSITIVE_INFINITY): Promise<RecordedEvent[]> {
    await this.opened('read');
    return this.readAfter(fromPosition, Number.isFinite(limit) ? limit : null, true);
  }

  async streamVersion(stream: string): Promise<number> {
    await this.opened('read');
    const result = await this.pool.query<{ version: number }>('SELECT version FROM streams WHERE stream = $1', [stream]);
    return result.rows[0]?.version ?? 0;
  }

  async heads(prefix = ''): Promise<StreamHead[]> {
    await this.opened('read');
    const result = await this.pool.query(
      `SELECT ${prefixed('e', EVENT_COLUMNS)} FROM streams s JOIN events e ON e.position = s.last_position
       WHERE starts_with(s.stream, $1) ORDER BY s.stream`,
      [prefix],
    );
    return result.rows.map((row) => {
      const lastEvent = toRecordedEvent(storedEvent(row));
      return { stream: lastEvent.stream, version: lastEvent.version, lastEvent };
    });
  }

  /** One statement: written only when the event at its version has its hash (checked and written atomically). */
  async saveSnapshot(snapshot: StreamSnapshot): Promise<void> {
    await this.opened('append');
    const row = encodeSnapshot(snapshot);
    const result = await this.pool.query(
      `INSERT INTO snapshots (stream, version, hash, machine_id, machine_version, state, taken_at)
       SELECT $1, $2, $3, $4, $5, $6, $7 WHERE EXISTS (SELECT 1 FROM events WHERE stream = $1 AND version = $2 AND hash = $3)
       ON CONFLICT (stream, version) DO UPDATE SET hash = excluded.hash, machine_id = excluded.machine_id,
         machine_version = excluded.machine_version, state = excluded.state, taken_at = excluded.taken_at`,
      [row.stream, row.version, row.hash, row.machineId, row.machineVersion, row.state, row.takenAt],
    );
    if (result.rowCount !== 1) throw new SnapshotNotInChainError(row.stream, row.version);
  }

  /**
   * One transaction: the head row locked FOR UPDATE (an append to the stream waits, then finds
   * no stream or the version moved on), checked, then events, head and snapshots deleted. No
   * position is taken, so the ordered append section is not needed.
   */
  async removeStream(stream: string, expectedVersion: number): Promise<void> {
    await this.opened('append');
    checkRemoval(stream, expectedVersion);
    const client = await this.pool.connect();
    let healthy = false;
    try {
      await client.query('BEGIN');
      const head = await client.query<{ version: number }>('SELECT version FROM streams WHERE stream = $1 FOR UPDATE', [stream]);
      const actual = head.rows[0]?.version ?? 0;
      if (actual !== expectedVersion) {
        await client.query('ROLLBACK');
        healthy = true;
        throw new VersionConflictError(stream, expectedVersion, actual);
      }
      await client.query('DELETE FROM events WHERE stream = $1', [stream]);
      await client.query('DELETE FROM snapshots WHERE stream = $1', [stream]);
      await client.query('DELETE FROM streams WHERE stream = $1', [stream]);
      await client.query('COMMIT');
      healthy = true;
    } finally {
      client.release(healthy ? undefined : true);
    }
  }

  async latestSnapshot(stream: string, atOrBefore?: number): Promise<StreamSnapshot | undefined> {
    await this.opened('read');
    const result = await this.pool.query<StoredSnapshot>(
      `SELECT stream, version, hash, machine_id AS "machineId", machine_version AS "machineVersion", state, taken_at AS "takenAt"
       FROM snapshots WHERE stream = $1 AND version <= $2 ORDER BY version DESC LIMIT 1`,
      [stream, snapshotBound(atOrBefore)],
    );
    return result.rows[0] && toStreamSnapshot(result.rows[0]);
  }

  subscribe(fromPosition: number, handler: EventHandler, options?: SubscribeOptions): Subscription {
    this.assertOpen('subscribe');
    this.listener.start();
    return this.subscriptions.subscribe(
      async (from, limit) => {
        await this.initialized;
        return this.readAfter(from, limit, false);
      },
      this.listener.signal,
      fromPosition,
      handler,
      options,
    );
  }

  async verify(stream?: string): Promise<ChainProblem[]> {
    await this.opened('verify');
    const client = await this.pool.connect();
    let healthy = false;
    try {
      // One snapshot for rows and heads, so an append committing meanwhile is no "mismatch".
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      const streams =
        stream !== undefined
          ? [stream]
          : (await client.query<{ stream: string }>('SELECT stream FROM streams UNION SELECT DISTINCT stream FROM events ORDER BY 1')).rows.map((r) => r.stream);
      const problems: ChainProblem[] = [];
      for (let i = 0; i < streams.length; i += VERIFY_STREAMS_PER_PAGE) {
        const page = streams.slice(i, i + VERIFY_STREAMS_PER_PAGE);
        const rows = await client.query(`SELECT ${EVENT_COLUMNS} FROM events WHERE stream = ANY($1) ORDER BY stream, version`, [page]);
        const heads = await client.query('SELECT stream, version, last_hash, last_position FROM streams WHERE stream = ANY($1)', [page]);
        problems.push(...verifyChains(rows.rows.map(storedEvent), heads.rows.map(headRecord)));
      }
      await client.query('COMMIT');
      healthy = true;
      return problems;
    } finally {
      client.release(healthy ? undefined : true);
    }
  }

  /**
   * One round trip: a read-write transaction (refused on a standby or a read-only database) that
   * takes the lock an INSERT takes on both tables (checking the privileges too, and conflicting
   * only with DDL-strength locks, bounded by lock_timeout), then rolls back. Writes nothing.
   */
  async checkWritable(): Promise<void> {
    await this.opened('append');
    const client = await this.pool.connect();
    let healthy = false;
    try {
      await client.query(`BEGIN READ WRITE; SET LOCAL lock_timeout = '${HEALTH_LOCK_WAIT_MS}ms'; LOCK TABLE events, streams IN ROW EXCLUSIVE MODE; ROLLBACK`);
      healthy = true;
    } catch (error) {
      throw new EngineError('STORE_NOT_WRITABLE', `event store ${this.location}: not writable: ${(error as Error).message}`, { cause: error });
    } finally {
      client.release(healthy ? undefined : true);
    }
  }

  stats(): PostgresEventStoreStats {
    return { ...this.counters };
  }

  /** Commits what is queued, stops subscriptions, closes every connection. Idempotent. */
  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    this.closed = true;
    await this.batcher.drained();
    await this.subscriptions.closeAll();
    await this.listener.close();
    await this.pool.end();
  }

  /** Writes a batch, retrying it whole after a race that PostgreSQL resolved by aborting it. */
  private async commit(batch: PendingAppend[]): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.initialized;
        const outcomes = await this.writeBatch(batch);
        let committed = 0;
        for (const [i, outcome] of outcomes.entries()) {
          if (outcome instanceof Error) batch[i].reject(outcome);
          else {
            committed++;
            batch[i].resolve(outcome);
          }
        }
        this.counters.transactions++;
        this.counters.appends += committed;
        if (committed > 0) this.listener.signal.notify();
        return;
      } catch (error) {
        if (attempt < MAX_ATTEMPTS && RETRYABLE_CODES.has((error as { code?: string }).code ?? '')) continue;
        const failure =
          error instanceof EngineError
            ? error
            : new EngineError('STORE_WRITE_FAILED', `event store ${this.location}: commit failed, nothing in this batch was written: ${(error as Error).message}`, { cause: error });
        for (const pending of batch) pending.reject(failure);
        return;
      }
    }
  }

  /** One transaction; returns each append's result, or the VersionConflictError / FencedOffError that kept it out. */
  private async writeBatch(batch: PendingAppend[]): Promise<Array<AppendResult | VersionConflictError | FencedOffError>> {
    const client = await this.pool.connect();
    let healthy = false;
    try {
      // Ordered section (see the top of this file): lock, take the transaction id, lock the heads,
      // in one round trip, since every round trip inside the section holds up every other writer
      // (heads in stream order, so two writers never wait for each other in a cycle).
      const streams = [...new Set(batch.map((p) => p.stream))].sort();
      const fenced = [...new Set(batch.filter((p) => p.fence !== undefined).map((p) => p.stream))].sort();
      const literals = (names: string[]) => names.map((s) => client.escapeLiteral(s)).join(', ');
      const opening = (await client.query(
        `BEGIN; SELECT pg_advisory_lock(${APPEND_SECTION_LOCK}); SELECT pg_current_xact_id()::text AS xid;
         SELECT stream, version, last_hash FROM streams WHERE stream IN (${literals(streams)}) ORDER BY stream FOR UPDATE` +
          (fenced.length > 0 ? `; SELECT stream, fence FROM stream_leases WHERE stream IN (${literals(fenced)}) ORDER BY stream FOR KEY SHARE` : ''),
      )) as unknown as QueryResult[];
      const xid = BigInt(opening[2].rows[0].xid as string);
      const heads = new Map(opening[3].rows.map((row) => [row.stream as string, { version: row.version as number, lastHash: row.last_hash as string }]));
      const fences = new Map((opening[4]?.rows ?? []).map((row) => [row.stream as string, Number(row.fence)]));
      const rows = new InsertColumns();
      const outcomes: Array<{ stream: string; version: number; chained: Omit<AppendedEvent, 'position'>[] } | VersionConflictError | FencedOffError> = batch.map((pending) => {
        if (pending.fence !== undefined && fences.get(pending.stream) !== pending.fence) return new FencedOffError(pending.stream, pending.fence, fences.get(pending.stream) ?? null);
        const head = heads.get(pending.stream);
        const actual = head?.version ?? 0;
        if (!versionMatches(pending.expectedVersion, actual)) return new VersionConflictError(pending.stream, pending.expectedVersion, actual);
        let version = actual;
        let hash = head?.lastHash ?? GENESIS_HASH;
        const chained: Omit<AppendedEvent, 'position'>[] = [];
        for (const event of pending.events) {
          const row = chainEvent(pending.stream, ++version, hash, event);
          rows.add(row);
          chained.push({ version, hash: row.hash, prevHash: row.prevHash });
          hash = row.hash;
        }
        heads.set(pending.stream, { version, lastHash: hash });
        return { stream: pending.stream, version, chained };
      });
      const positions = rows.size > 0 ? await insertEvents(client, rows) : new Map<string, number>();
      await client.query(`SELECT pg_advisory_unlock(${APPEND_SECTION_LOCK}); COMMIT${rows.size > 0 ? `; SELECT pg_notify('${COMMIT_CHANNEL}', '')` : ''}`);
      healthy = true;
      if (xid > this.lastCommittedXid) this.lastCommittedXid = xid;
      return outcomes.map((o) => {
        if (o instanceof EngineError) return o;
        const events = o.chained.map((e) => ({ ...e, position: positions.get(rowKey(o.stream, e.version))! }));
        return { stream: o.stream, version: o.version, position: events[events.length - 1].position, events };
      });
    } finally {
      // On any failure the connection goes: with it its transaction and its session-level lock.
      client.release(healthy ? undefined : true);
    }
  }

  /**
   * Events after `fromPosition` from transactions below the visibility horizon. When this store
   * itself committed past the horizon (another of its transactions, or one elsewhere, was still
   * running) and `ownWrites` is set, it waits a little, re-reading with a growing pause, so an
   * append that resolved is in the next readAll. Subscriptions need no such wait: the commit
   * that moves the horizon wakes them (NOTIFY, or the poll).
   */
  private async readAfter(fromPosition: number, limit: number | null, ownWrites: boolean): Promise<RecordedEvent[]> {
    const deadline = Date.now() + OWN_WRITES_WAIT_MS;
    for (let pauseMs = 1; ; pauseMs = Math.min(pauseMs * 2, 50)) {
      const result = await this.pool.query(
        `SELECT h.xmin::text AS horizon, ${prefixed('e', EVENT_COLUMNS)}
         FROM (SELECT pg_snapshot_xmin(pg_current_snapshot()) AS xmin) h
         LEFT JOIN LATERAL (
           SELECT ${EVENT_COLUMNS} FROM events WHERE position > $1 AND transaction_id < h.xmin ORDER BY position LIMIT $2
         ) e ON true`,
        [fromPosition, limit],
      );
      const horizon = BigInt(result.rows[0].horizon as string);
      if (ownWrites && horizon <= this.lastCommittedXid && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, pauseMs));
        continue;
      }
      return result.rows.filter((row) => row.position !== null).map((row) => toRecordedEvent(storedEvent(row)));
    }
  }

  private async opened(what: string): Promise<void> {
    this.assertOpen(what);
    await this.initialized;
  }

  private assertOpen(what: string): void {
    if (this.closed) throw storeClosedError(what);
  }
}

/** Column arrays for one multi-row INSERT ... SELECT FROM unnest(...): one round trip per batch. */
class InsertColumns {
  readonly stream: string[] = [];
  readonly version: number[] = [];
  readonly type: string[] = [];
  readonly data: string[] = [];
  readonly stateAfter: string[] = [];
  readonly meta: string[] = [];
  readonly prevHash: string[] = [];
  readonly hash: string[] = [];

  get size(): number {
    return this.stream.length;
  }

  add(row: Omit<StoredEvent, 'position'>): void {
    this.stream.push(row.stream);
    this.version.push(row.version);
    this.type.push(row.type);
    this.data.push(row.data);
    this.stateAfter.push(row.stateAfter);
    this.meta.push(row.meta);
    this.prevHash.push(row.prevHash);
    this.hash.push(row.hash);
  }
}

/**
 * Inserts the rows in order (positions follow versions within a stream) and moves each stream's
 * head to its last new event, in one statement. Returns the position of every (stream, version).
 */
async function insertEvents(client: PoolClient, rows: InsertColumns): Promise<Map<string, number>> {
  const result = await client.query(
    `WITH inserted AS (
       INSERT INTO events (stream, version, type, data, state_after, meta, prev_hash, hash)
       SELECT stream, version, type, data, state_after, meta, prev_hash, hash
       FROM unnest($1::text[], $2::int[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[])
         WITH ORDINALITY AS u(stream, version, type, data, state_after, meta, prev_hash, hash, n)
       ORDER BY n
       RETURNING position, stream, version, hash
     ), moved AS (
       INSERT INTO streams (stream, version, last_hash, last_position)
       SELECT DISTINCT ON (stream) stream, version, hash, position FROM inserted ORDER BY stream, version DESC
       ON CONFLICT (stream) DO UPDATE SET version = excluded.version, last_hash = excluded.last_hash, last_position = excluded.last_position
     )
     SELECT stream, version, position FROM inserted`,
    [rows.stream, rows.version, rows.type, rows.data, rows.stateAfter, rows.meta, rows.prevHash, rows.hash],
  );
  return new Map(result.rows.map((row) => [rowKey(row.stream as string, row.version as number), Number(row.position)]));
}

function rowKey(stream: string, version: number): string {
  return `${version}\u0000${stream}`;
}

function prefixed(alias: string, columns: string): string {
  return columns
    .split(', ')
    .map((c) => `${alias}.${c}`)
    .join(', ');
}

/** int8 arrives as a string from pg; positions stay far below 2^53. */
function storedEvent(row: Record<string, unknown>): StoredEvent {
  return {
    position: Number(row.position),
    stream: row.stream as string,
    version: row.version as number,
    type: row.type as string,
    data: row.data as string,
    stateAfter: row.state_after as string,
    meta: row.meta as string,
    prevHash: row.prev_hash as string,
    hash: row.hash as string,
  };
}

function headRecord(row: Record<string, unknown>): StreamHeadRecord {
  return { stream: row.stream as string, version: row.version as number, lastHash: row.last_hash as string, lastPosition: Number(row.last_position) };
}
