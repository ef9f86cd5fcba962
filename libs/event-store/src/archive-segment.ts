// Archive segments: whole streams moved out of the hot store into one gzip-compressed JSON Lines
// file (one recorded event per line, exactly as the store returned it, streams in version
// order). The file's sha256 and every stream's last version, hash and position are anchored in
// the live log (the `archive` stream, see libs/engine/src/archive), so a segment is trusted only
// when its bytes hash to the anchored value, and its chains verify exactly as the store's own.
import { createHash } from 'node:crypto';
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { EngineError, type ChainProblem, type RecordedEvent } from '@engine/core';
import { verifyChains } from './chain-verifier';
import type { StoredEvent } from './stored-event';

/** Where one archived stream ended: what its chain in the segment must end on. */
export interface ArchivedStreamHead {
  stream: string;
  version: number;
  hash: string;
  position: number;
}

export interface WrittenSegment {
  /** File name inside the archive folder. */
  name: string;
  sha256: string;
  events: number;
  streams: ArchivedStreamHead[];
}

/** A segment whose bytes are missing, unreadable or not the ones anchored in the log. */
export class ArchiveSegmentError extends EngineError {
  constructor(readonly segment: string, reason: string, cause?: unknown) {
    super('ARCHIVE_SEGMENT_INVALID', `archive segment ${segment}: ${reason}`, { cause, details: { segment } });
  }
}

const SEGMENT_NAME = /^[A-Za-z0-9_.-]+\.jsonl\.gz$/;

/**
 * Writes `events` (whole streams, each in version order) as `<dir>/<name>`: to a temporary file,
 * synced, then renamed and the folder synced, so a segment either exists complete or not at all.
 */
export function writeSegment(dir: string, name: string, events: readonly RecordedEvent[]): WrittenSegment {
  if (!SEGMENT_NAME.test(name)) throw new ArchiveSegmentError(name, 'a segment name is letters, digits, _ . - and ends in .jsonl.gz');
  const lines = events.map(({ stream, version, position, type, data, stateAfter, meta, prevHash, hash }) =>
    JSON.stringify({ stream, version, position, type, data, stateAfter, meta, prevHash, hash }),
  );
  const bytes = gzipSync(Buffer.from(`${lines.join('\n')}\n`, 'utf8'));
  mkdirSync(dir, { recursive: true });
  const temporary = join(dir, `.${name}.partial`);
  const fd = openSync(temporary, 'w');
  try {
    writeSync(fd, bytes);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temporary, join(dir, name));
  const folder = openSync(dir, 'r');
  try {
    fsyncSync(folder);
  } finally {
    closeSync(folder);
  }
  const last = new Map<string, ArchivedStreamHead>();
  for (const e of events) last.set(e.stream, { stream: e.stream, version: e.version, hash: e.hash, position: e.position });
  return { name, sha256: sha256(bytes), events: events.length, streams: [...last.values()] };
}

/** The events of segment `<dir>/<name>`, after checking that its bytes hash to `expectedSha256`. */
export function readSegment(dir: string, name: string, expectedSha256: string): RecordedEvent[] {
  if (!SEGMENT_NAME.test(name)) throw new ArchiveSegmentError(name, 'not a segment name');
  let bytes: Buffer;
  try {
    bytes = readFileSync(join(dir, name));
  } catch (error) {
    throw new ArchiveSegmentError(name, `cannot be read: ${(error as NodeJS.ErrnoException).code ?? 'unknown error'}`, error);
  }
  const actual = sha256(bytes);
  if (actual !== expectedSha256) throw new ArchiveSegmentError(name, `sha256 ${actual} is not the anchored ${expectedSha256}`);
  try {
    return gunzipSync(bytes)
      .toString('utf8')
      .split('\n')
      .filter((line) => line.length > 0)
      .map((line) => JSON.parse(line) as RecordedEvent);
  } catch (error) {
    throw new ArchiveSegmentError(name, `not gzip-compressed JSON lines: ${(error as Error).message}`, error);
  }
}

/**
 * Recomputes the chain of every stream in a segment's events, as `EventStore.verify` does in the
 * store, each ending on its anchored head: an edited, missing or extra event is reported.
 */
export function verifySegmentChains(events: readonly RecordedEvent[], heads: readonly ArchivedStreamHead[]): ChainProblem[] {
  const rows: StoredEvent[] = [...events]
    .sort((a, b) => (a.stream < b.stream ? -1 : a.stream > b.stream ? 1 : a.version - b.version))
    .map((e) => ({
      position: e.position,
      stream: e.stream,
      version: e.version,
      type: e.type,
      data: JSON.stringify(e.data ?? null),
      stateAfter: JSON.stringify(e.stateAfter ?? null),
      meta: JSON.stringify(e.meta),
      prevHash: e.prevHash,
      hash: e.hash,
    }));
  return verifyChains(
    rows,
    heads.map((h) => ({ stream: h.stream, version: h.version, lastHash: h.hash, lastPosition: h.position })),
  );
}

function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}
