// How every adapter holds a stream snapshot at rest: the state as canonical JSON text next to
// the stream, version and chain hash it belongs to. Checked and serialized once, when
// `saveSnapshot` is called, so bad input is refused the same way by every adapter.
import { ValidationError, canonicalJson, type StreamSnapshot } from '@engine/core';

/** One row of the `snapshots` table (and of the memory log). */
export interface StoredSnapshot {
  stream: string;
  version: number;
  hash: string;
  machineId: string;
  machineVersion: string;
  state: string;
  takenAt: string;
}

/** The highest stream version every adapter can hold (PostgreSQL's `integer`). */
const MAX_VERSION = 2 ** 31 - 1;

export function encodeSnapshot(snapshot: StreamSnapshot): StoredSnapshot {
  const { stream, version, hash, machineId, machineVersion, takenAt } = snapshot ?? ({} as StreamSnapshot);
  const invalid: Record<string, string> = {};
  if (typeof stream !== 'string' || stream.length === 0 || stream.includes('\u0000')) invalid.stream = 'invalid';
  if (!Number.isSafeInteger(version) || version < 1 || version > MAX_VERSION) invalid.version = 'not a positive integer in range';
  for (const [field, value] of Object.entries({ hash, machineId, machineVersion, takenAt })) {
    if (typeof value !== 'string' || value.length === 0) invalid[field] = 'not a non-empty string';
  }
  let state = '';
  try {
    state = canonicalJson(snapshot?.state ?? null);
  } catch {
    invalid.state = 'not JSON';
  }
  if (Object.keys(invalid).length > 0) throw new ValidationError('invalid snapshot', invalid);
  return { stream, version, hash, machineId, machineVersion, state, takenAt };
}

export function toStreamSnapshot(row: StoredSnapshot): StreamSnapshot {
  return {
    stream: row.stream,
    version: Number(row.version),
    hash: row.hash,
    machineId: row.machineId,
    machineVersion: row.machineVersion,
    state: JSON.parse(row.state) as unknown,
    takenAt: row.takenAt,
  };
}

/** `atOrBefore` as a version bound: any number is fine (NaN is refused), default no bound. */
export function snapshotBound(atOrBefore: number | undefined): number {
  if (atOrBefore === undefined) return MAX_VERSION;
  if (typeof atOrBefore !== 'number' || Number.isNaN(atOrBefore)) throw new ValidationError('invalid snapshot bound', { atOrBefore: 'not a number' });
  return Math.max(0, Math.min(Math.floor(atOrBefore), MAX_VERSION));
}
