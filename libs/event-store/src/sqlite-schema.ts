// Opens a SQLite event-store file: creates the schema in a new file, and refuses (with an error
// naming the file) anything it cannot vouch for — not a database, damaged pages, someone else's
// tables, a schema version from another build. It never rewrites an existing file to "fix" it.
import Database from 'better-sqlite3';
import { existsSync } from 'node:fs';
import { EngineError, StoreCorruptError, UnknownSchemaVersionError } from '@engine/core';

/** Stored in `PRAGMA user_version`. Bump it with a migration (MIGRATIONS) when the tables change. */
export const SCHEMA_VERSION = 2;

export type SynchronousMode = 'OFF' | 'NORMAL' | 'FULL' | 'EXTRA';

const SCHEMA = `
  CREATE TABLE events (
    position INTEGER PRIMARY KEY AUTOINCREMENT,
    stream TEXT NOT NULL,
    version INTEGER NOT NULL,
    type TEXT NOT NULL,
    data TEXT NOT NULL,
    state_after TEXT NOT NULL,
    meta TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL,
    UNIQUE (stream, version)
  ) STRICT;
  CREATE TABLE streams (
    stream TEXT PRIMARY KEY,
    version INTEGER NOT NULL,
    last_hash TEXT NOT NULL,
    last_position INTEGER NOT NULL
  ) STRICT, WITHOUT ROWID;
`;

// Version 2: stream snapshots, a cache for replaying long streams (see StreamSnapshot).
const SNAPSHOTS = `
  CREATE TABLE snapshots (
    stream TEXT NOT NULL,
    version INTEGER NOT NULL,
    hash TEXT NOT NULL,
    machine_id TEXT NOT NULL,
    machine_version TEXT NOT NULL,
    state TEXT NOT NULL,
    taken_at TEXT NOT NULL,
    PRIMARY KEY (stream, version)
  ) STRICT, WITHOUT ROWID;
`;

/** What takes a file from version `n - 1` to `n`, by `n`. */
const MIGRATIONS: Record<number, string> = { 2: SNAPSHOTS };

/** The tables a file of each schema version holds. */
const TABLES_BY_VERSION: Record<number, string[]> = { 1: ['events', 'streams'], 2: ['events', 'streams', 'snapshots'] };

export function openEventStoreFile(file: string, synchronous: SynchronousMode): Database.Database {
  const existed = existsSync(file);
  if (existed) checkExisting(file);
  let db: Database.Database;
  try {
    db = new Database(file, { fileMustExist: existed });
  } catch (error) {
    throw new StoreCorruptError(file, `cannot open: ${(error as Error).message}`, error);
  }
  try {
    db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${synchronous}`);
    if (isEmpty(db)) createSchema(db);
    else migrate(db);
    return db;
  } catch (error) {
    db.close();
    throw new StoreCorruptError(file, (error as Error).message, error);
  }
}

/**
 * Vets an existing file through a read-only connection: closing a read-write connection
 * checkpoints the WAL into the main file, which would rewrite a file we are about to refuse.
 * Also used on backup files before they are trusted (sqlite-backup.ts).
 */
export function checkExisting(file: string): void {
  let db: Database.Database | undefined;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
    checkContents(db, file);
  } catch (error) {
    if (error instanceof EngineError) throw error;
    throw new StoreCorruptError(file, (error as Error).message, error);
  } finally {
    db?.close();
  }
}

/** Makes sure the file is intact, and either empty or ours in a schema version we know. */
function checkContents(db: Database.Database, file: string): void {
  const version = db.pragma('user_version', { simple: true }) as number;
  const problems = (db.pragma('quick_check') as Array<{ quick_check: string }>).map((r) => r.quick_check).filter((r) => r !== 'ok');
  if (problems.length > 0) throw new StoreCorruptError(file, `integrity check failed: ${problems.slice(0, 3).join('; ')}`);
  const tables = tableNames(db);
  if (version === 0 && tables.length === 0) return;
  if (version === 0) throw new StoreCorruptError(file, `not an event store (tables ${tables.join(', ')}, no schema version)`);
  // An older version is ours too: opening it migrates it (a newer one is another build's).
  if (!TABLES_BY_VERSION[version] || version > SCHEMA_VERSION) throw new UnknownSchemaVersionError(file, version, SCHEMA_VERSION);
  const missing = TABLES_BY_VERSION[version].filter((t) => !tables.includes(t));
  if (missing.length > 0) throw new StoreCorruptError(file, `schema version ${version} but table(s) ${missing.join(', ')} missing`);
}

function tableNames(db: Database.Database): string[] {
  return (db.prepare(`SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`).all() as Array<{ name: string }>).map((r) => r.name);
}

/** A new file, or an existing one that passed the checks without any tables: ours to initialize. */
function isEmpty(db: Database.Database): boolean {
  return db.pragma('user_version', { simple: true }) === 0 && tableNames(db).length === 0;
}

function createSchema(db: Database.Database): void {
  db.transaction(() => {
    db.exec(SCHEMA);
    for (let version = 2; version <= SCHEMA_VERSION; version++) db.exec(MIGRATIONS[version]);
    db.pragma(`user_version = ${SCHEMA_VERSION}`);
  })();
}

/** Brings a file of an older schema version (already vetted by checkExisting) up to SCHEMA_VERSION, in one transaction. */
function migrate(db: Database.Database): void {
  const from = db.pragma('user_version', { simple: true }) as number;
  if (from >= SCHEMA_VERSION) return;
  db.transaction(() => {
    for (let version = from + 1; version <= SCHEMA_VERSION; version++) db.exec(MIGRATIONS[version]);
    db.pragma(`user_version = ${SCHEMA_VERSION}`);
  })();
}
