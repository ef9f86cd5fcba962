// Stream leases in PostgreSQL: which worker process holds which `job-…` / `master-…` stream,
// for how long, and how far it has applied the stream's forwarded commands. It is the
// table that lets several engine workers share one event store (shared/DESIGN.md,
// "Scale-out"); worker-ownership.ts drives it. The design, in short:
//
// Ownership. One row per job and per master session in `stream_leases`, written by whichever
// worker first sees the stream in the log. A worker claims rows that nobody holds or whose
// lease has expired with `FOR UPDATE SKIP LOCKED` (two workers never wait for, or get, the
// same row), renews `expires_at` on a heartbeat, and gives a row back when the job is final
// (`done`) or at shutdown. All times are the database's `now()`, so worker clocks may differ.
// A worker that stops renewing (SIGKILL, a stalled event loop, a lost network) loses its rows
// when they expire; the next claimer rebuilds each stream from the log (host.adopt).
// A worker also keeps its own, earlier deadline (the renewal's start + 80% of the TTL): past
// it, it stops deciding for its streams even before the database would let another claim them.
//
// Fencing. That deadline rests on the worker's clock and on it noticing: a worker paused
// (SIGSTOP, a long GC, a frozen VM) between deciding and writing wakes up with a write already
// on its way. So every claim bumps the row's `fence` token, the holder's appends carry the
// token it claimed with, and the event store refuses, inside the append's transaction, an
// append whose token is not the row's current one (postgres-event-store.ts, "Fencing"). Before
// an irreversible step (the portal submission) the holder also asks this table whether its
// token is still current and its lease unexpired (`confirm`).
//
// Master sessions. One holder per portal (`master-<portal>` row). A Chromium session cannot be
// shared between processes, and copying its cookies through the log would put secrets in it,
// so jobs of a portal run on the worker holding that portal's master session ("portal
// affinity"): job rows carry their portal and are only claimed by that portal's holder.
// Masters are spread by fair share (ceil(masters / live workers)); workers announce themselves
// with a `worker:<id>` row under the same heartbeat.
//
// Concurrency. Per worker by default (the scheduler's attempt limit, plus `maxHeldJobs` leases
// held at once); optionally global: a claim counts every unexpired job lease under an advisory
// lock and takes at most `globalMaxHeldJobs` minus that.
//
// Why not pg-boss or graphile-worker: both are job queues (a job is fetched, run to completion
// by one handler call, then completed or retried). Our unit of work is a long-lived event-sourced
// stream whose steps are already durable in the log and whose retries and timers are the
// machine's own; what we need is exclusive ownership of a stream with expiry, affinity to the
// worker holding a browser, and handover that rebuilds from the log. Queue libraries would
// hold the work item's state twice (their table and our log) and their retry semantics would
// fight the machine's. The lease table is ~10 SQL statements.
//
// Every lease write that changed a row is followed by a NOTIFY on the event store's channel:
// a write transaction holds the store's visibility horizon back while it runs (see
// postgres-event-store.ts), and one that ends without notifying would leave subscribers
// waiting for their next poll.
import { Pool } from 'pg';
import { COMMIT_CHANNEL } from '@engine/event-store';

export type LeaseKind = 'job' | 'master' | 'worker';

export interface ClaimedLease {
  stream: string;
  portal: string | null;
  /** The last forwarded command (inbox version) already applied to this stream. */
  inboxVersion: number;
  /** The fencing token of this claim: higher than every earlier claim of the stream. */
  fence: number;
}

export interface StreamLeasesOptions {
  /** This worker's id: unique among the workers sharing the database. */
  workerId: string;
  /** How long a lease lasts without renewal. */
  ttlMs: number;
  poolSize?: number;
}

/** Serializes schema creation, and (optionally) global job claims, between workers. */
const SCHEMA_LOCK = 0x65760010;
const GLOBAL_CLAIM_LOCK = 0x65760011;

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS stream_leases (
    stream text PRIMARY KEY,
    kind text NOT NULL CHECK (kind IN ('job', 'master', 'worker')),
    portal text,
    -- Claim order: jobs first in, first claimed.
    seq bigint GENERATED ALWAYS AS IDENTITY,
    owner text,
    expires_at timestamptz,
    -- A final job: never claimed again.
    done boolean NOT NULL DEFAULT false,
    inbox_version integer NOT NULL DEFAULT 0
  );
  -- Bumped by every claim; the event store refuses appends carrying an older one. Added to a table
  -- from before fencing; looked up first, because ALTER TABLE locks out every lease query while it waits.
  DO $$ BEGIN
    IF NOT EXISTS (SELECT 1 FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = 'stream_leases' AND column_name = 'fence') THEN
      ALTER TABLE stream_leases ADD COLUMN fence bigint NOT NULL DEFAULT 0;
    END IF;
  END $$;
  CREATE INDEX IF NOT EXISTS stream_leases_claimable ON stream_leases (kind, portal, seq) WHERE NOT done;
  CREATE INDEX IF NOT EXISTS stream_leases_owner ON stream_leases (owner) WHERE owner IS NOT NULL;
`;

export class PostgresStreamLeases {
  readonly workerId: string;
  private readonly pool: Pool;
  private readonly ttl: string;

  constructor(url: string, private readonly options: StreamLeasesOptions) {
    this.workerId = options.workerId;
    this.ttl = `${Math.max(1, Math.round(options.ttlMs))} milliseconds`;
    this.pool = new Pool({ connectionString: url, max: options.poolSize ?? 3 });
    this.pool.on('error', (error) => process.emitWarning(`stream leases: idle connection failed: ${error.message}`));
  }

  get ttlMs(): number {
    return this.options.ttlMs;
  }

  async ensureSchema(): Promise<void> {
    await this.transaction(async (q) => {
      await q('SELECT pg_advisory_xact_lock($1)', [SCHEMA_LOCK]);
      await q(SCHEMA);
    });
  }

  /** Announces this worker (its row expires with its other leases). */
  async register(): Promise<void> {
    await this.write(
      `INSERT INTO stream_leases (stream, kind, owner, expires_at) VALUES ($1, 'worker', $2, now() + $3::interval)
       ON CONFLICT (stream) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at, done = false`,
      [`worker:${this.workerId}`, this.workerId, this.ttl],
    );
  }

  /** Adds rows for streams to be claimed; rows that exist (held, done) are left as they are. */
  async add(kind: 'job' | 'master', rows: { stream: string; portal: string }[]): Promise<void> {
    if (rows.length === 0) return;
    await this.write(
      `INSERT INTO stream_leases (stream, kind, portal) SELECT s, $1, p FROM unnest($2::text[], $3::text[]) WITH ORDINALITY AS u(s, p, n) ORDER BY n
       ON CONFLICT (stream) DO NOTHING`,
      [kind, rows.map((r) => r.stream), rows.map((r) => r.portal)],
    );
  }

  /**
   * Extends this worker's row and its unexpired leases of `streams`; returns those still held.
   * Only named streams: a row this worker holds without knowing it (a failed release) expires.
   */
  async renew(streams: string[]): Promise<Set<string>> {
    const result = await this.write(
      `UPDATE stream_leases SET expires_at = now() + $2::interval
       WHERE owner = $1 AND NOT done AND expires_at > now() AND (stream = ANY($3) OR stream = $4) RETURNING stream`,
      [this.workerId, this.ttl, streams, `worker:${this.workerId}`],
    );
    return new Set(result.rows.map((r) => r.stream as string));
  }

  async liveWorkers(): Promise<number> {
    const result = await this.pool.query<{ n: string }>(`SELECT count(*) AS n FROM stream_leases WHERE kind = 'worker' AND expires_at > now()`);
    return Number(result.rows[0].n);
  }

  async masterCount(): Promise<number> {
    const result = await this.pool.query<{ n: string }>(`SELECT count(*) AS n FROM stream_leases WHERE kind = 'master' AND NOT done`);
    return Number(result.rows[0].n);
  }

  /** Claims up to `limit` free master-session rows. */
  async claimMasters(limit: number): Promise<ClaimedLease[]> {
    if (limit <= 0) return [];
    return this.claim(`kind = $3`, 'master', limit);
  }

  /** Claims up to `limit` free job rows of `portals`, oldest first; with `globalMax`, never more than that many held by all workers. */
  async claimJobs(portals: string[], limit: number, globalMax?: number): Promise<ClaimedLease[]> {
    if (limit <= 0 || portals.length === 0) return [];
    if (globalMax === undefined) return this.claim(`kind = 'job' AND portal = ANY($3)`, portals, limit);
    return this.transaction(async (q) => {
      await q('SELECT pg_advisory_xact_lock($1)', [GLOBAL_CLAIM_LOCK]);
      const held = await q(`SELECT count(*) AS n FROM stream_leases WHERE kind = 'job' AND NOT done AND owner IS NOT NULL AND expires_at > now()`);
      const room = Math.min(limit, globalMax - Number(held.rows[0].n));
      if (room <= 0) return [];
      return claimed(await q(claimSql(`kind = 'job' AND portal = ANY($3)`), [this.workerId, this.ttl, portals, room]));
    }).then(async (leases) => {
      if (leases.length > 0) await this.notify();
      return leases;
    });
  }

  /** Gives rows back: `done` for final jobs (never claimed again), else free for the next claimer. */
  async release(streams: string[], done: boolean): Promise<void> {
    if (streams.length === 0) return;
    await this.write(`UPDATE stream_leases SET owner = NULL, expires_at = NULL, done = $3 WHERE stream = ANY($1) AND owner = $2`, [streams, this.workerId, done]);
  }

  /** Records that forwarded commands up to `version` were applied to `stream`, by the holder of token `fence` only. */
  async markInboxApplied(stream: string, version: number, fence: number): Promise<void> {
    await this.write(`UPDATE stream_leases SET inbox_version = $2 WHERE stream = $1 AND inbox_version < $2 AND fence = $3`, [stream, version, fence]);
  }

  /** Whether this worker still holds `stream` under token `fence`, unexpired by the database's clock; else the current token. */
  async confirm(stream: string, fence: number): Promise<{ held: boolean; current: number | null }> {
    const result = await this.pool.query<{ fence: string; held: boolean }>(
      `SELECT fence, (owner = $2 AND fence = $3 AND expires_at > now()) AS held FROM stream_leases WHERE stream = $1`,
      [stream, this.workerId, fence],
    );
    const row = result.rows[0];
    return { held: row?.held === true, current: row ? Number(row.fence) : null };
  }

  /** Gives back every row of this worker that is not final (a graceful stop hands its work over at once). */
  async releaseAll(): Promise<void> {
    await this.write(`UPDATE stream_leases SET owner = NULL, expires_at = NULL WHERE owner = $1 AND NOT done`, [this.workerId]);
    await this.write(`UPDATE stream_leases SET expires_at = now() WHERE stream = $1`, [`worker:${this.workerId}`]);
  }

  /** Who holds what (tests and the inspector). */
  async holders(kind: LeaseKind): Promise<{ stream: string; owner: string | null; portal: string | null; done: boolean }[]> {
    const result = await this.pool.query(
      `SELECT stream, CASE WHEN expires_at > now() THEN owner END AS owner, portal, done FROM stream_leases WHERE kind = $1 ORDER BY seq`,
      [kind],
    );
    return result.rows as { stream: string; owner: string | null; portal: string | null; done: boolean }[];
  }

  async close(): Promise<void> {
    await this.pool.end();
  }

  private async claim(where: string, filter: unknown, limit: number): Promise<ClaimedLease[]> {
    return claimed(await this.write(claimSql(where), [this.workerId, this.ttl, filter, limit]));
  }

  /** A write; when it changed rows, the store's subscribers are woken as a commit would (see the top of this file). */
  private async write(sql: string, params: unknown[]): Promise<{ rows: Record<string, unknown>[] }> {
    const result = await this.pool.query(sql, params);
    if ((result.rowCount ?? 0) > 0) await this.notify();
    return result;
  }

  private async notify(): Promise<void> {
    await this.pool.query(`SELECT pg_notify('${COMMIT_CHANNEL}', '')`);
  }

  private async transaction<T>(fn: (q: (sql: string, params?: unknown[]) => Promise<{ rows: Record<string, unknown>[] }>) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    let healthy = false;
    try {
      await client.query('BEGIN');
      const value = await fn((sql, params) => client.query(sql, params));
      await client.query('COMMIT');
      healthy = true;
      return value;
    } finally {
      if (!healthy) await client.query('ROLLBACK').catch(() => undefined);
      client.release(healthy ? undefined : true);
    }
  }
}

/** $1 worker, $2 ttl, $3 the filter's parameter, $4 limit. */
function claimSql(where: string): string {
  return `WITH free AS (
      SELECT stream FROM stream_leases
      WHERE ${where} AND NOT done AND (owner IS NULL OR expires_at IS NULL OR expires_at <= now())
      ORDER BY seq LIMIT $4 FOR UPDATE SKIP LOCKED
    )
    UPDATE stream_leases l SET owner = $1, expires_at = now() + $2::interval, fence = l.fence + 1 FROM free WHERE l.stream = free.stream
    RETURNING l.stream, l.portal, l.inbox_version, l.fence`;
}

function claimed(result: { rows: Record<string, unknown>[] }): ClaimedLease[] {
  return result.rows.map((r) => ({ stream: r.stream as string, portal: (r.portal as string | null) ?? null, inboxVersion: Number(r.inbox_version), fence: Number(r.fence) }));
}
