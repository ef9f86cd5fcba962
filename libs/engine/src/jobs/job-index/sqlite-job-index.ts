// The JobIndex in the SQLite event store's own file: two tables next to `events`, through a
// connection of its own (WAL, so its reads never wait for the store and the store's never for
// it). Why its own connection rather than the store's: the EventStore port does not hand out
// its database (the server wraps the store for metrics; backups and the CLI open the file on
// their own too), the store's commit queue stays the only writer of `events`, and a projection
// that is rebuilt from the log needs none of the store's durability: it commits with
// synchronous=NORMAL (a power cut may lose its last commits, never tear them; the position it
// records travels in the same transaction, so it catches up from there). better-sqlite3 is
// synchronous, so in one process the two connections' write transactions never overlap; the
// busy timeout covers another process (a backup) holding the lock for a moment.
//
// The event store's schema check only looks for its own tables, so these do not disturb it;
// they come along in a backup, with the position they hold.
import Database from 'better-sqlite3';
import { existsSync } from 'node:fs';
import { EngineError } from '@engine/core';
import { JOB_INDEX_SCHEMA_VERSION, type JobIndex, type JobIndexRow, type JobSearch } from './job-index';
import { JOB_INDEX_COLUMNS, jobSearchWhere, rowValues, SELECT_ROW } from './job-index-sql';

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS job_index (
    job_id TEXT PRIMARY KEY,
    portal TEXT NOT NULL,
    state TEXT NOT NULL,
    business_key TEXT NOT NULL,
    external_id TEXT,
    failure_kind TEXT,
    created_at TEXT NOT NULL,
    finished_at TEXT,
    version INTEGER NOT NULL,
    position INTEGER NOT NULL
  ) STRICT, WITHOUT ROWID;
  CREATE INDEX IF NOT EXISTS job_index_portal_state ON job_index (portal, state, created_at, job_id);
  CREATE INDEX IF NOT EXISTS job_index_created ON job_index (created_at, job_id);
  CREATE INDEX IF NOT EXISTS job_index_business_key ON job_index (business_key, created_at, job_id);
  CREATE INDEX IF NOT EXISTS job_index_failure_kind ON job_index (failure_kind, created_at, job_id) WHERE failure_kind IS NOT NULL;
  CREATE INDEX IF NOT EXISTS job_index_finished ON job_index (finished_at) WHERE finished_at IS NOT NULL;
  CREATE TABLE IF NOT EXISTS job_index_meta (
    singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
    schema_version INTEGER NOT NULL,
    position INTEGER NOT NULL
  ) STRICT;
`;

/** Prepared searches kept per distinct SQL text (a few dozen filter combinations in practice). */
const STATEMENT_CACHE = 128;

export class SqliteJobIndex implements JobIndex {
  private readonly db: Database.Database;
  private readonly upsert: Database.Statement;
  private readonly searches = new Map<string, Database.Statement>();

  /** `file` must be an event store the store has created (the index never creates one). */
  constructor(readonly file: string) {
    if (!existsSync(file)) throw new EngineError('JOB_INDEX_NO_STORE', `job index: ${file} does not exist; open the event store first`);
    this.db = new Database(file, { fileMustExist: true });
    try {
      this.db.pragma('busy_timeout = 5000');
      this.db.pragma('synchronous = NORMAL');
      const tables = this.db.prepare(`SELECT name FROM sqlite_schema WHERE type = 'table' AND name IN ('events', 'job_index_meta')`).pluck().all() as string[];
      if (!tables.includes('events')) throw new EngineError('JOB_INDEX_NO_STORE', `job index: ${file} holds no event store`);
      this.db.transaction(() => {
        if (tables.includes('job_index_meta')) {
          const version = this.db.prepare('SELECT schema_version FROM job_index_meta').pluck().get() as number | undefined;
          // An index of another version is only a cache of the log: dropped here, rebuilt by the projection.
          if (version !== undefined && version !== JOB_INDEX_SCHEMA_VERSION) this.db.exec('DROP TABLE job_index; DROP TABLE job_index_meta;');
        }
        this.db.exec(SCHEMA);
      })();
    } catch (error) {
      this.db.close();
      throw error;
    }
    const columns = JOB_INDEX_COLUMNS.join(', ');
    const updates = JOB_INDEX_COLUMNS.filter((c) => c !== 'job_id')
      .map((c) => `${c} = excluded.${c}`)
      .join(', ');
    this.upsert = this.db.prepare(
      `INSERT INTO job_index (${columns}) VALUES (${JOB_INDEX_COLUMNS.map(() => '?').join(', ')})
       ON CONFLICT (job_id) DO UPDATE SET ${updates} WHERE excluded.version > job_index.version`,
    );
  }

  async write(rows: readonly JobIndexRow[], position: number): Promise<void> {
    this.db.transaction(() => {
      for (const row of rows) this.upsert.run(...rowValues(row));
      this.db
        .prepare(
          `INSERT INTO job_index_meta (singleton, schema_version, position) VALUES (1, ?, ?)
           ON CONFLICT (singleton) DO UPDATE SET position = max(position, excluded.position)`,
        )
        .run(JOB_INDEX_SCHEMA_VERSION, position);
    })();
  }

  async search(query: JobSearch): Promise<JobIndexRow[]> {
    const params: unknown[] = [];
    const param = (value: unknown) => {
      params.push(value);
      return '?';
    };
    const where = jobSearchWhere(query, param, (column, values) => `${column} IN (${values.map(param).join(', ')})`);
    const sql = `SELECT ${SELECT_ROW} FROM job_index ${where} ORDER BY created_at, job_id LIMIT ?`;
    params.push(query.limit);
    return this.statement(sql).all(...params) as JobIndexRow[];
  }

  async position(): Promise<number | null> {
    return (this.db.prepare('SELECT position FROM job_index_meta').pluck().get() as number | undefined) ?? null;
  }

  async clear(): Promise<void> {
    this.db.exec('DELETE FROM job_index; DELETE FROM job_index_meta;');
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }

  private statement(sql: string): Database.Statement {
    let statement = this.searches.get(sql);
    if (!statement) {
      if (this.searches.size >= STATEMENT_CACHE) this.searches.clear();
      statement = this.db.prepare(sql);
      this.searches.set(sql, statement);
    }
    return statement;
  }
}
