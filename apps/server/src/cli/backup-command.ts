// `backup <file>` and `restore <file>` for the embedded SQLite store (sqlite-backup.ts does the
// work). A PostgreSQL store is backed up with PostgreSQL's own tools, which already take a
// consistent snapshot online and fit whatever backup policy its operator runs (base backups,
// WAL archiving): the commands say so, with the procedure from the README, instead of wrapping
// pg_dump (a version-matched client binary and a password on its command line or environment).
import { join, resolve } from 'node:path';
import { EngineError } from '@engine/core';
import { backupSqliteStore, redactUrl, restoreSqliteStore } from '@engine/event-store';
import { CliError, EXIT } from './cli-error';

const POSTGRES = /^postgres(ql)?:\/\//i;

/** Refusals that changed nothing: a usage-class exit, one line, no stack. */
const REFUSALS = new Set(['STORE_NOT_FOUND', 'BACKUP_TARGET_EXISTS', 'BACKUP_TARGET_INVALID', 'BACKUP_NOT_FOUND', 'RESTORE_TARGET_INVALID', 'RESTORE_TARGET_NOT_EMPTY']);

export async function backupCommand(location: string, file: string, force: boolean, out: (line: string) => void): Promise<number> {
  if (POSTGRES.test(location)) {
    throw new CliError(
      `${redactUrl(location)} is a PostgreSQL store: back it up with PostgreSQL's tools, e.g. ` +
        `pg_dump --format=custom --file=${file} "$DATABASE_URL" (see README.md, "Backup and restore"); nothing was written`,
    );
  }
  const report = await refusalsAsCliErrors(() => backupSqliteStore(sqlitePath(location), file, { overwrite: force }));
  out(
    `backup OK: ${report.file}: ${report.events} event(s) in ${report.streams} stream(s) up to position ${report.lastPosition}, ` +
      `${mib(report.bytes)} MiB, ${(report.ms / 1000).toFixed(2)} s`,
  );
  return EXIT.ok;
}

/** Restores into `--data-dir <dir>` (its events.db) when given, else into the store location. */
export async function restoreCommand(file: string, target: { dataDir?: string; location: string }, force: boolean, out: (line: string) => void): Promise<number> {
  if (target.dataDir === undefined && POSTGRES.test(target.location)) {
    throw new CliError(
      `${redactUrl(target.location)} is a PostgreSQL store: restore a pg_dump archive with pg_restore, e.g. ` +
        `pg_restore --no-owner --dbname="$DATABASE_URL" ${file} (see README.md, "Backup and restore"); nothing was changed`,
    );
  }
  const path = target.dataDir !== undefined ? join(resolve(target.dataDir), 'events.db') : sqlitePath(target.location);
  const report = await refusalsAsCliErrors(() => restoreSqliteStore(file, path, { replace: force }));
  out(
    `restore OK: ${report.target}: ${report.events} event(s) in ${report.streams} stream(s) up to position ${report.lastPosition}, ` +
      `every hash chain verified${report.replaced ? ' (the previous store was replaced)' : ''}`,
  );
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
