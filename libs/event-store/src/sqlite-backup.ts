// Online backup and restore of the SQLite event store (`engine backup` / `engine restore`).
//
// Backup copies the store with SQLite's online backup API through a read-only connection, in
// ONE step: a step reads inside one read transaction, and in WAL mode a reader neither blocks
// the server's appends nor sees any of them that commit meanwhile, so the copy is the store as
// of one commit (no half group-commit batch, heads matching events). Copying in many small
// steps would let each append of a busy server restart the copy from page one. The copy is
// written next to the target, switched to a plain rollback journal (one self-contained file),
// checked page by page, synced, and only then renamed into place: a crash never leaves a
// half-written file under the backup's name.
//
// Restore refuses a target that holds events unless told to replace it, copies the backup to
// a temporary file beside the target, verifies every hash chain of the copy, and renames it
// into place, removing the old store's WAL files, which SQLite would otherwise replay onto the
// restored file. The server must not be running on the target.
import Database from 'better-sqlite3';
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { EngineError } from '@engine/core';
import { verifyChains, type StreamHeadRecord } from './chain-verifier';
import { checkExisting } from './sqlite-schema';
import type { StoredEvent } from './stored-event';

/** What a backup (or a restored store) holds. */
export interface StoreSnapshotSummary {
  events: number;
  streams: number;
  /** Global position of the last event: the backup point. */
  lastPosition: number;
  bytes: number;
}

export interface SqliteBackupReport extends StoreSnapshotSummary {
  source: string;
  file: string;
  /** Wall time of the copy, check and sync. */
  ms: number;
}

export interface SqliteRestoreReport extends StoreSnapshotSummary {
  backup: string;
  target: string;
  /** Whether a store with events was replaced (only with `replace`). */
  replaced: boolean;
}

/** better-sqlite3 caps the pages per step at 2^31-1: one step copies everything. */
const ALL_PAGES = 0x7fffffff;

/** Copies the live store in `source` to `target` (refused when it exists, unless `overwrite`). */
export async function backupSqliteStore(source: string, target: string, options: { overwrite?: boolean } = {}): Promise<SqliteBackupReport> {
  const started = process.hrtime.bigint();
  const from = resolve(source);
  const to = resolve(target);
  if (!existsSync(from) || !statSync(from).isFile()) throw new EngineError('STORE_NOT_FOUND', `no event store at ${from}; nothing was written`);
  if (from === to) throw new EngineError('BACKUP_TARGET_INVALID', `the backup cannot be written over the store itself (${to})`);
  if (existsSync(to) && !options.overwrite) throw new EngineError('BACKUP_TARGET_EXISTS', `${to} exists; choose another file or pass --force to replace it`);
  if (!existsSync(dirname(to))) throw new EngineError('BACKUP_TARGET_INVALID', `folder ${dirname(to)} does not exist; nothing was written`);
  checkExisting(from);
  const partial = temporaryBeside(to);
  try {
    const db = new Database(from, { readonly: true, fileMustExist: true });
    try {
      await db.backup(partial, { progress: () => ALL_PAGES });
    } finally {
      db.close();
    }
    const summary = finishCopy(partial, { journal: 'DELETE', verifyChains: false });
    renameSync(partial, to);
    syncFolder(dirname(to));
    return { ...summary, source: from, file: to, ms: Number(process.hrtime.bigint() - started) / 1e6 };
  } catch (error) {
    removeStoreFiles(partial);
    throw error;
  }
}

/**
 * Puts the backup in `backup` in place as the store `target`. A target holding events (or a
 * WAL that may) is refused unless `replace`; the backup is refused when any hash chain in it
 * breaks. Nothing at `target` changes unless the restore succeeds.
 */
export async function restoreSqliteStore(backup: string, target: string, options: { replace?: boolean } = {}): Promise<SqliteRestoreReport> {
  const from = resolve(backup);
  const to = resolve(target);
  if (!existsSync(from) || !statSync(from).isFile()) throw new EngineError('BACKUP_NOT_FOUND', `no backup at ${from}`);
  if (from === to) throw new EngineError('RESTORE_TARGET_INVALID', `the backup and the target are the same file (${to})`);
  checkExisting(from);
  const held = eventsIn(to);
  if (held !== 0 && !options.replace) {
    const what = held === null ? 'holds a file that may hold events' : `holds ${held} event(s)`;
    throw new EngineError('RESTORE_TARGET_NOT_EMPTY', `${to} ${what}; restore into a fresh location, or pass --force to replace it (stop the server first)`);
  }
  mkdirSync(dirname(to), { recursive: true });
  const partial = temporaryBeside(to);
  try {
    const db = new Database(from, { readonly: true, fileMustExist: true });
    try {
      if (!isEventStore(db)) throw new EngineError('BACKUP_INVALID', `${from} holds no event store`);
      await db.backup(partial, { progress: () => ALL_PAGES });
    } finally {
      db.close();
    }
    const summary = finishCopy(partial, { journal: 'WAL', verifyChains: true });
    // The old store's WAL belongs to the old file: left beside the new one, SQLite would replay it.
    for (const suffix of ['-wal', '-shm', '-journal']) rmSync(`${to}${suffix}`, { force: true });
    renameSync(partial, to);
    syncFolder(dirname(to));
    return { ...summary, backup: from, target: to, replaced: held !== 0 };
  } catch (error) {
    removeStoreFiles(partial);
    throw error;
  }
}

/** Sets the copy's journal mode, checks its pages (and chains), syncs it; returns what it holds. */
function finishCopy(file: string, options: { journal: 'DELETE' | 'WAL'; verifyChains: boolean }): StoreSnapshotSummary {
  const db = new Database(file, { fileMustExist: true });
  let summary: Omit<StoreSnapshotSummary, 'bytes'>;
  try {
    db.pragma(`journal_mode = ${options.journal}`);
    const problems = (db.pragma('quick_check') as Array<{ quick_check: string }>).map((r) => r.quick_check).filter((r) => r !== 'ok');
    if (problems.length > 0) throw new EngineError('BACKUP_INVALID', `the copy fails SQLite's integrity check: ${problems.slice(0, 3).join('; ')}`);
    if (options.verifyChains) {
      const chainProblems = verifyChains(
        db.prepare(`SELECT position, stream, version, type, data, state_after AS stateAfter, meta, prev_hash AS prevHash, hash FROM events ORDER BY stream, version`).iterate() as Iterable<StoredEvent>,
        db.prepare(`SELECT stream, version, last_hash AS lastHash, last_position AS lastPosition FROM streams`).all() as StreamHeadRecord[],
      );
      if (chainProblems.length > 0) {
        const first = chainProblems.slice(0, 3).map((p) => `stream ${p.stream} version ${p.version}: ${p.reason}`);
        throw new EngineError('BACKUP_INVALID', `the backup's hash chains do not verify (${chainProblems.length} stream(s)): ${first.join('; ')}`);
      }
    }
    summary = counts(db);
    // A WAL-mode copy is checkpointed and its WAL removed by this close: one file is renamed.
  } finally {
    db.close();
  }
  const fd = openSync(file, 'r+');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  return { ...summary, bytes: statSync(file).size };
}

function counts(db: Database.Database): Omit<StoreSnapshotSummary, 'bytes'> {
  if (!isEventStore(db)) return { events: 0, streams: 0, lastPosition: 0 };
  const events = db.prepare('SELECT count(*) AS n, coalesce(max(position), 0) AS last FROM events').get() as { n: number; last: number };
  const streams = db.prepare('SELECT count(*) AS n FROM streams').get() as { n: number };
  return { events: events.n, streams: streams.n, lastPosition: events.last };
}

function isEventStore(db: Database.Database): boolean {
  return (db.prepare(`SELECT count(*) AS n FROM sqlite_schema WHERE type = 'table' AND name IN ('events', 'streams')`).get() as { n: number }).n === 2;
}

/** Events in the store at `file`: 0 when absent or empty, null when it cannot be told (not a store, or a WAL beside it). */
function eventsIn(file: string): number | null {
  const wal = `${file}-wal`;
  const walBytes = existsSync(wal) ? statSync(wal).size : 0;
  if (!existsSync(file)) return walBytes > 0 ? null : 0;
  if (statSync(file).size === 0) return walBytes > 0 ? null : 0;
  try {
    checkExisting(file);
  } catch {
    return null;
  }
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    return isEventStore(db) ? counts(db).events : walBytes > 0 ? null : 0;
  } finally {
    db.close();
  }
}

function temporaryBeside(file: string): string {
  return join(dirname(file), `.${basename(file)}.${process.pid}.partial`);
}

function removeStoreFiles(file: string): void {
  for (const suffix of ['', '-wal', '-shm', '-journal']) rmSync(`${file}${suffix}`, { force: true });
}

/** Makes a rename durable: the folder's entry is synced too. */
function syncFolder(folder: string): void {
  const fd = openSync(folder, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
