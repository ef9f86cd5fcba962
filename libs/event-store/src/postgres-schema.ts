// Creates the PostgreSQL event-store tables in an empty database (or one that only holds other
// applications' tables) and refuses, with an error naming the redacted URL, a database whose
// event-store tables it cannot vouch for: a schema version from another build, or an `events`
// table that is not ours. It never drops or rewrites anything to "fix" it.
import type { Pool } from 'pg';
import { StoreCorruptError, UnknownSchemaVersionError } from '@engine/core';

/** Stored in `event_store_schema.version`. Bump it with a migration when the tables change. */
export const POSTGRES_SCHEMA_VERSION = 2;

/** Serializes schema creation between processes that open the same empty database at once. */
const SCHEMA_LOCK = 0x65760001;

const TABLES = ['event_store_schema', 'events', 'streams', 'snapshots'];

/** The tables a database of each schema version holds. */
const TABLES_BY_VERSION: Record<number, string[]> = { 1: ['event_store_schema', 'events', 'streams'], 2: TABLES };

// Version 2: stream snapshots, a cache for replaying long streams (see StreamSnapshot).
const SNAPSHOTS = `
  CREATE TABLE snapshots (
    stream text NOT NULL,
    version integer NOT NULL,
    hash text NOT NULL,
    machine_id text NOT NULL,
    machine_version text NOT NULL,
    state text NOT NULL,
    taken_at text NOT NULL,
    PRIMARY KEY (stream, version)
  );
`;

/** What takes a database from version `n - 1` to `n`, by `n`. */
const MIGRATIONS: Record<number, string> = { 2: SNAPSHOTS };

const SCHEMA = `
  CREATE TABLE event_store_schema (
    singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    version integer NOT NULL
  );
  CREATE TABLE events (
    position bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- The writing transaction: readers only take rows whose transaction lies below every
    -- transaction still running (see postgres-event-store.ts).
    transaction_id xid8 NOT NULL DEFAULT pg_current_xact_id(),
    stream text NOT NULL,
    version integer NOT NULL,
    type text NOT NULL,
    -- JSON text as hashed: the json/jsonb types would re-format or re-order it.
    data text NOT NULL,
    state_after text NOT NULL,
    meta text NOT NULL,
    prev_hash text NOT NULL,
    hash text NOT NULL,
    UNIQUE (stream, version)
  );
  CREATE TABLE streams (
    stream text PRIMARY KEY,
    version integer NOT NULL,
    last_hash text NOT NULL,
    last_position bigint NOT NULL
  );
`;

/** Makes sure `pool`'s database holds our tables at POSTGRES_SCHEMA_VERSION; `where` names it in errors. */
export async function ensurePostgresSchema(pool: Pool, where: string): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock($1)', [SCHEMA_LOCK]);
    const present = (
      await client.query<{ name: string }>(`SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = ANY($1)`, [TABLES])
    ).rows.map((r) => r.name);
    if (present.length === 0) {
      await client.query(SCHEMA);
      for (let version = 2; version <= POSTGRES_SCHEMA_VERSION; version++) await client.query(MIGRATIONS[version]);
      await client.query('INSERT INTO event_store_schema (version) VALUES ($1)', [POSTGRES_SCHEMA_VERSION]);
    } else {
      const version = await checkExisting(client, present, where);
      for (let next = version + 1; next <= POSTGRES_SCHEMA_VERSION; next++) await client.query(MIGRATIONS[next]);
      if (version < POSTGRES_SCHEMA_VERSION) await client.query('UPDATE event_store_schema SET version = $1', [POSTGRES_SCHEMA_VERSION]);
      await settleRestoredRows(client);
    }
    await client.query('COMMIT');
    client.release();
  } catch (error) {
    // A connection left in a failed transaction must not go back to the pool.
    client.release(true);
    throw error;
  }
}

/**
 * After pg_restore onto another cluster, the rows keep the transaction ids of the cluster they
 * were written on, which may lie ahead of this cluster's counter: readers, which only take rows
 * below the horizon (postgres-event-store.ts), would not see them until this cluster caught up,
 * and a subscriber would skip past them for good once new rows came in. Every such row was
 * committed long ago, so it gets the frozen transaction id (2, older than any running one).
 * Ids and positions are handed out in the same order, so looking at the last row is enough.
 */
async function settleRestoredRows(client: { query: Pool['query'] }): Promise<void> {
  const last = await client.query<{ ahead: boolean }>(
    `SELECT transaction_id >= pg_snapshot_xmax(pg_current_snapshot()) AS ahead FROM events ORDER BY position DESC LIMIT 1`,
  );
  if (!last.rows[0]?.ahead) return;
  await client.query(`UPDATE events SET transaction_id = '2'::xid8 WHERE transaction_id >= pg_snapshot_xmax(pg_current_snapshot())`);
}

/** Vets an existing database and returns its schema version: this build's, or an older one it migrates. */
async function checkExisting(client: { query: Pool['query'] }, present: string[], where: string): Promise<number> {
  if (!present.includes('event_store_schema')) {
    throw new StoreCorruptError(where, `table(s) ${present.join(', ')} exist but no event_store_schema: not an event store`);
  }
  const rows = (await client.query<{ version: number }>('SELECT version FROM event_store_schema')).rows;
  if (rows.length !== 1) throw new StoreCorruptError(where, `event_store_schema holds ${rows.length} rows, expected 1`);
  const version = rows[0].version;
  if (!TABLES_BY_VERSION[version] || version > POSTGRES_SCHEMA_VERSION) throw new UnknownSchemaVersionError(where, version, POSTGRES_SCHEMA_VERSION);
  const missing = TABLES_BY_VERSION[version].filter((t) => !present.includes(t));
  if (missing.length > 0) throw new StoreCorruptError(where, `schema version ${version} but table(s) ${missing.join(', ')} missing`);
  return version;
}
