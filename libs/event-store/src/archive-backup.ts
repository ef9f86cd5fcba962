// The archive segments that belong with a SQLite backup. A backup of the store holds the
// `archive` stream, whose `segment.archived` events anchor segment files kept outside the store
// (DATA_DIR/archive); without them the restored store would not pass `audit verify` and its
// archived jobs could not be shown. So `engine backup <file>` copies every segment anchored in
// the backup (and no other) into the folder `<file>.archive`, each checked against its anchored
// sha256, and `engine restore <file>` puts them back into the target's archive folder.
//
// Segments are immutable once anchored, so copying them after the store's one-step copy is
// consistent: a segment anchored in the backup was complete before its anchor was appended.
import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { closeSync, copyFileSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { EngineError } from '@engine/core';
import { ARCHIVE_STREAM, SEGMENT_ARCHIVED, type SegmentArchived } from './stream-archive';

/** The folder beside a backup file that holds the archive segments it anchors. */
export function backupSegmentsDir(backupFile: string): string {
  return `${backupFile}.archive`;
}

/** The segments (name and sha256) anchored in the SQLite store file `file`, oldest first. */
export function anchoredSegments(file: string): { segment: string; sha256: string }[] {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const hasEvents = db.prepare(`SELECT count(*) AS n FROM sqlite_schema WHERE type = 'table' AND name = 'events'`).get() as { n: number };
    if (hasEvents.n === 0) return [];
    const rows = db.prepare('SELECT data FROM events WHERE stream = ? AND type = ? ORDER BY version').all(ARCHIVE_STREAM, SEGMENT_ARCHIVED) as { data: string }[];
    return rows.map((row) => {
      const anchor = JSON.parse(row.data) as SegmentArchived;
      return { segment: anchor.segment, sha256: anchor.sha256 };
    });
  } finally {
    db.close();
  }
}

/** Where each anchored segment is to be read from, checked: the first folder that holds it with the anchored bytes. */
export function locateSegments(segments: readonly { segment: string; sha256: string }[], folders: readonly string[]): Map<string, string> {
  const found = new Map<string, string>();
  for (const { segment, sha256 } of segments) {
    const problems: string[] = [];
    for (const folder of folders) {
      const path = join(folder, segment);
      if (!existsSync(path)) continue;
      const actual = sha256Of(path);
      if (actual === sha256) {
        found.set(segment, folder);
        break;
      }
      problems.push(`${path} has sha256 ${actual}, not the anchored ${sha256}`);
    }
    if (!found.has(segment)) {
      const reason = problems.length > 0 ? problems.join('; ') : `not in ${folders.join(' or ')}`;
      throw new EngineError('ARCHIVE_SEGMENT_MISSING', `archive segment ${segment}, anchored in the store, is missing or altered: ${reason}`);
    }
  }
  return found;
}

/**
 * Copies the located segments into `to` (created when absent); one already there with the
 * anchored bytes is kept. Each copy goes through a temporary name and is synced before it is
 * renamed, so a crash leaves no half-written segment. Returns how many were copied.
 */
export function copySegments(segments: readonly { segment: string; sha256: string }[], from: Map<string, string>, to: string): number {
  mkdirSync(to, { recursive: true });
  let copied = 0;
  for (const { segment, sha256 } of segments) {
    const target = join(to, segment);
    if (existsSync(target) && sha256Of(target) === sha256) continue;
    const source = from.get(segment);
    if (source === undefined) throw new EngineError('ARCHIVE_SEGMENT_MISSING', `archive segment ${segment} was not located`);
    const partial = join(to, `.${segment}.partial`);
    try {
      copyFileSync(join(source, segment), partial);
      if (sha256Of(partial) !== sha256) throw new EngineError('ARCHIVE_SEGMENT_MISSING', `archive segment ${segment} changed while it was copied`);
      syncFile(partial, 'r+');
      renameSync(partial, target);
    } catch (error) {
      rmSync(partial, { force: true });
      throw error;
    }
    copied += 1;
  }
  syncFile(to, 'r');
  return copied;
}

function sha256Of(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

function syncFile(path: string, flags: 'r' | 'r+'): void {
  const fd = openSync(path, flags);
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
