// `archive --older-than <duration> [--dry-run]`: moves job streams that finished (submitted,
// failed, failed_post_submission, needs_review, cancelled) and saw no event for <duration> out of
// the store into a gzip JSON Lines segment in the archive folder, anchored in the `archive`
// stream (StreamArchive does the work). --dry-run lists them and changes nothing.
import { dirname, join, resolve } from 'node:path';
import { SystemClock, type EventStore } from '@engine/core';
import { StreamArchive } from '@engine/event-store';
import { JOB_MACHINE } from '@engine/machines';
import { CliError, EXIT } from './cli-error';

const UNIT_MS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** `90d`, `12h`, `30m`, `45s`, `2w` → milliseconds; anything else is a usage error. */
export function parseDuration(text: string | undefined, flag: string): number {
  const match = /^(\d{1,9})([smhdw])$/.exec(text ?? '');
  if (!match) throw new CliError(`${flag} needs a duration such as 90d, 12h, 30m, 45s or 2w`);
  return Number(match[1]) * UNIT_MS[match[2]];
}

/**
 * --archive-dir, else DATA_DIR/archive, else the archive folder next to the SQLite store file
 * (DATA_DIR's default layout); for a PostgreSQL store (no file to sit beside), ./data/archive,
 * the server's default data folder.
 */
export function archiveDirFor(flag: string | undefined, env: NodeJS.ProcessEnv, storePath: string): string {
  if (flag !== undefined) return resolve(flag);
  if (env.DATA_DIR) return join(resolve(env.DATA_DIR), 'archive');
  if (/^postgres(ql)?:\/\//i.test(storePath)) return resolve('data', 'archive');
  return join(dirname(storePath), 'archive');
}

export function jobArchive(store: EventStore, dir: string): StreamArchive {
  return new StreamArchive({ store, dir, machine: JOB_MACHINE, clock: new SystemClock() });
}

export async function archiveCommand(archive: StreamArchive, olderThanMs: number, dryRun: boolean, out: (line: string) => void): Promise<number> {
  const run = await archive.archive({ olderThanMs, dryRun });
  if (run.dryRun) {
    for (const c of run.candidates) out(`would archive ${c.stream} (${c.state}, ${c.version} event(s), last at ${c.lastEventAt})`);
    out(`dry run: ${run.candidates.length} finished job stream(s) would be archived into ${archive.dir}; nothing was changed`);
    return EXIT.ok;
  }
  for (const s of run.segments) out(`segment ${s.segment}: ${s.streams.length} stream(s), ${s.events} event(s), sha256 ${s.sha256}`);
  for (const s of run.skipped) out(`skipped ${s.stream}: ${s.reason}`);
  out(`archive OK: ${run.removed} finished job stream(s) archived into ${archive.dir} and removed from the store${run.skipped.length > 0 ? `, ${run.skipped.length} left for the next run` : ''}`);
  return EXIT.ok;
}
