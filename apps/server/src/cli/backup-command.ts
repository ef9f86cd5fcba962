// `backup <file>` and `restore <file>` for the embedded SQLite store (sqlite-backup.ts does the
// work). A PostgreSQL store is backed up with PostgreSQL's own tools, which already take a
// consistent snapshot online and fit whatever backup policy its operator runs (base backups,
// WAL archiving): the commands say so, with the procedure from the README, instead of wrapping
// pg_dump (a version-matched client binary and a password on its command line or environment).
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { EngineError } from '@engine/core';
import { anchoredSegments, backupSegmentsDir, backupSqliteStore, copySegments, locateSegments, redactUrl, restoreSqliteStore } from '@engine/event-store';
import { CliError, EXIT } from './cli-error';

const POSTGRES = /^postgres(ql)?:\/\//i;

/** Refusals that changed nothing: a usage-class exit, one line, no stack. */
const REFUSALS = new Set(['ARCHIVE_SEGMENT_MISSING', 'STORE_NOT_FOUND', 'BACKUP_TARGET_EXISTS', 'BACKUP_TARGET_INVALID', 'BACKUP_NOT_FOUND', 'RESTORE_TARGET_INVALID', 'RESTORE_TARGET_NOT_EMPTY']);

/** Where the store's archive segments are (`archiveDirFor`), for the commands that carry them along. */
export type ArchiveDirOf = (storePath: string) => string;

/**
 * The store into `file`, and the archive segments it anchors into `<file>.archive`. Every anchored
 * segment is checked (present, the anchored bytes) before anything is written.
 */
export async function backupCommand(location: string, file: string, force: boolean, out: (line: string) => void, archiveDirOf: ArchiveDirOf): Promise<number> {
  if (POSTGRES.test(location)) {
    throw new CliError(
      `${redactUrl(location)} is a PostgreSQL store: back it up with PostgreSQL's tools, e.g. ` +
        `pg_dump --format=custom --file=${file} "$DATABASE_URL" (see README.md, "Backup and restore"); nothing was written`,
    );
  }
  const source = sqlitePath(location);
  const archiveDir = archiveDirOf(source);
  // Before anything is written: an archive that lost a segment makes no backup that verifies.
  if (existsSync(source)) await refusalsAsCliErrors(async () => locateSegments(anchoredSegments(source), [archiveDir]));
  const report = await refusalsAsCliErrors(() => backupSqliteStore(source, file, { overwrite: force }));
  // The backup's own anchors (the store may have archived more since the check): segments are immutable once anchored.
  const segments = anchoredSegments(report.file);
  const copied = await refusalsAsCliErrors(async () => copySegments(segments, locateSegments(segments, [archiveDir]), backupSegmentsDir(report.file)));
  out(
    `backup OK: ${report.file}: ${report.events} event(s) in ${report.streams} stream(s) up to position ${report.lastPosition}, ` +
      `${mib(report.bytes)} MiB, ${(report.ms / 1000).toFixed(2)} s`,
  );
  if (segments.length > 0) out(`archive: ${segments.length} segment(s) in ${backupSegmentsDir(report.file)} (${copied} copied); keep the folder with the file`);
  return EXIT.ok;
}

/** Restores into `--data-dir <dir>` (its events.db) when given, else into the store location. */
export async function restoreCommand(file: string, target: { dataDir?: string; location: string }, force: boolean, out: (line: string) => void, archiveDirOf: ArchiveDirOf): Promise<number> {
  if (target.dataDir === undefined && POSTGRES.test(target.location)) {
    throw new CliError(
      `${redactUrl(target.location)} is a PostgreSQL store: restore a pg_dump archive with pg_restore, e.g. ` +
        `pg_restore --no-owner --dbname="$DATABASE_URL" ${file} (see README.md, "Backup and restore"); nothing was changed`,
    );
  }
  const path = target.dataDir !== undefined ? join(resolve(target.dataDir), 'events.db') : sqlitePath(target.location);
  const archiveDir = target.dataDir !== undefined ? join(resolve(target.dataDir), 'archive') : archiveDirOf(path);
  // The segments the backup anchors, from `<file>.archive` or already in the target's archive folder: checked before anything changes.
  const segments = existsSync(file) ? await refusalsAsCliErrors(async () => anchoredSegments(resolve(file))) : [];
  const located = await refusalsAsCliErrors(async () => locateSegments(segments, [backupSegmentsDir(resolve(file)), archiveDir]));
  const report = await refusalsAsCliErrors(() => restoreSqliteStore(file, path, { replace: force }));
  const copied = copySegments(segments, located, archiveDir);
  out(
    `restore OK: ${report.target}: ${report.events} event(s) in ${report.streams} stream(s) up to position ${report.lastPosition}, ` +
      `every hash chain verified${report.replaced ? ' (the previous store was replaced)' : ''}`,
  );
  if (segments.length > 0) out(`archive: ${segments.length} segment(s) in ${archiveDir} (${copied} copied)`);
  out(`next: npm run engine -- audit verify --store sqlite:${report.target}`);
  return EXIT.ok;
}

function sqlitePath(location: string): string {
  if (location === 'memory:') throw new CliError('memory: holds nothing outside its process; use a sqlite: store');
  return resolve(location.startsWith('sqlite:') ? location.slice('sqlite:'.length) : location);
}

async function refusalsAsCliErrors<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof EngineError && REFUSALS.has(error.code)) throw new CliError(error.message);
    throw error;
  }
}

function mib(bytes: number): string {
  return (bytes / 2 ** 20).toFixed(1);
}
