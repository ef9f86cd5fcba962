// The JobIndex in the PostgreSQL database of the event store: two tables next to `events`,
// through a small pool of its own (the store's pool is not part of the EventStore port). Every
// worker sharing the store feeds the same table from its own read feed: a row only moves to a
// newer stream version, and the recorded position only grows, so workers that see the log at
// different moments never take a row back. Text columns sort in the "C" collation, byte by byte,
// as SQLite and the memory adapter do, so a cursor means the same place on every adapter.
//
// Each write ends with a NOTIFY on the store's commit channel: a write transaction holds the
// store's visibility horizon back while it runs (postgres-event-store.ts), and one that ended
// silently would leave subscribers waiting for their next poll.
import { Pool } from 'pg';
import { COMMIT_CHANNEL } from '@engine/event-store';
import { JOB_INDEX_SCHEMA_VERSION, type JobIndex, type JobIndexRow, type JobSearch } from './job-index';
import { JOB_INDEX_COLUMNS, jobSearchWhere, rowValues, SELECT_ROW } from './job-index-sql';

/** Serializes schema creation (and a drop of an index of another version) between workers. */
const SCHEMA_LOCK = 0x65760020;

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS job_index (
    job_id text COLLATE "C" PRIMARY KEY,
    portal text COLLATE "C" NOT NULL,
    state text COLLATE "C" NOT NULL,
    business_key text COLLATE "C" NOT NULL,
    external_id text,
    failure_kind text COLLATE "C",
    created_at text COLLATE "C" NOT NULL,
    finished_at text COLLATE "C",
    version integer NOT NULL,
    position bigint NOT NULL
  );
  CREATE INDEX IF NOT EXISTS job_index_portal_state ON job_index (portal, state, created_at, job_id);
  CREATE INDEX IF NOT EXISTS job_index_created ON job_index (created_at, job_id);
  CREATE INDEX IF NOT EXISTS job_index_business_key ON job_index (business_key, created_at, job_id);
  CREATE INDEX IF NOT EXISTS job_index_failure_kind ON job_index (failure_kind, created_at, job_id) WHERE failure_kind IS NOT NULL;
  CREATE INDEX IF NOT EXISTS job_index_finished ON job_index (finished_at) WHERE finished_at IS NOT NULL;
  CREATE TABLE IF NOT EXISTS job_index_meta (
    singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    schema_version integer NOT NULL,
    position bigint NOT NULL
  );
`;

type Query = (sql: string, params?: unknown[]) => Promise<{ rows: Record<string, unknown>[] }>;

export class PostgresJobIndex implements JobIndex {
  private readonly pool: Pool;

  /** Connects and makes sure the tables are there (and of this version). */
  static async open(url: string, options: { poolSize?: number } = {}): Promise<PostgresJobIndex> {
    const index = new PostgresJobIndex(url, options);
    try {
      await index.ensureSchema();
    } catch (error) {
      await index.close();
      throw error;
    }
    return index;
  }

  private constructor(url: string, options: { poolSize?: number }) {
    this.pool = new Pool({ connectionString: url, max: options.poolSize ?? 3 });
    this.pool.on('error', (error) => process.emitWarning(`job index: idle connection failed: ${error.message}`));
  }

  async write(rows: readonly JobIndexRow[], position: number): Promise<void> {
    await this.transaction(async (q) => {
      if (rows.length > 0) {
        const columns = JOB_INDEX_COLUMNS.join(', ');
        const updates = JOB_INDEX_COLUMNS.filter((c) => c !== 'job_id')
          .map((c) => `${c} = excluded.${c}`)
          .join(', ');
        const types = ['text', 'text', 'text', 'text', 'text', 'text', 'text', 'text', 'integer', 'bigint'];
        const values = rows.map(rowValues);
        const arrays = JOB_INDEX_COLUMNS.map((_, i) => values.map((v) => v[i]));
        await q(
          `INSERT INTO job_index (${columns}) SELECT * FROM unnest(${types.map((t, i) => `$${i + 1}::${t}[]`).join(', ')})
           ON CONFLICT (job_id) DO UPDATE SET ${updates} WHERE excluded.version > job_index.version`,
          arrays,
        );
      }
      await q(
        `INSERT INTO job_index_meta (singleton, schema_version, position) VALUES (true, $1, $2)
         ON CONFLICT (singleton) DO UPDATE SET position = GREATEST(job_index_meta.position, excluded.position)`,
        [JOB_INDEX_SCHEMA_VERSION, position],
      );
      await q(`SELECT pg_notify('${COMMIT_CHANNEL}', '')`);
    });
  }

  async search(query: JobSearch): Promise<JobIndexRow[]> {
    const params: unknown[] = [];
    const param = (value: unknown) => {
      params.push(value);
      return `$${params.length}`;
    };
    const where = jobSearchWhere(query, param, (column, values) => `${column} = ANY(${param([...values])}::text[])`);
    const sql = `SELECT ${SELECT_ROW} FROM job_index ${where} ORDER BY created_at, job_id LIMIT ${param(query.limit)}`;
    const result = await this.pool.query(sql, params);
    return result.rows.map((r) => ({ ...(r as JobIndexRow), version: Number(r.version), position: Number(r.position) }));
  }

  async position(): Promise<number | null> {
    const result = await this.pool.query('SELECT position FROM job_index_meta');
    return result.rows.length === 0 ? null : Number(result.rows[0].position);
  }

  async clear(): Promise<void> {
    await this.transaction(async (q) => {
      await q('DELETE FROM job_index');
      await q('DELETE FROM job_index_meta');
      await q(`SELECT pg_notify('${COMMIT_CHANNEL}', '')`);
    });
  }

  async close(): Promise<void> {
    await this.pool.end();
  }

  private async ensureSchema(): Promise<void> {
    await this.transaction(async (q) => {
      await q('SELECT pg_advisory_xact_lock($1)', [SCHEMA_LOCK]);
      const meta = await q(`SELECT to_regclass('job_index_meta') IS NOT NULL AS present`);
      if (meta.rows[0].present) {
        const version = await q('SELECT schema_version FROM job_index_meta');
        // An index of another version is only a cache of the log: dropped here, rebuilt by the projection.
        if (version.rows.length > 0 && version.rows[0].schema_version !== JOB_INDEX_SCHEMA_VERSION) await q('DROP TABLE job_index, job_index_meta');
      }
      await q(SCHEMA);
    });
  }

  private async transaction<T>(fn: (q: Query) => Promise<T>): Promise<T> {
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
