// Recomputes per-stream hash chains from stored rows, for `EventStore.verify`. Shared by the
// adapters so that "edited" and "deleted" mean the same thing everywhere. Only the first bad
// version of a stream is reported: everything after it is unprovable anyway.
import { GENESIS_HASH, eventHash, type ChainProblem } from '@engine/core';
import { canonicalEventHash } from './canonical-event-hash';
import type { StoredEvent } from './stored-event';

/** What a store keeps per stream besides its events (the SQLite `streams` table). */
export interface StreamHeadRecord {
  stream: string;
  version: number;
  lastHash: string;
  lastPosition: number;
}

/**
 * Checks every stream. `rows` must be grouped by stream and in version order within a stream
 * (ORDER BY stream, version); `heads` are the head records, which catch deleted tail events.
 */
export function verifyChains(rows: Iterable<StoredEvent>, heads: Iterable<StreamHeadRecord>): ChainProblem[] {
  const headByStream = new Map<string, StreamHeadRecord>();
  for (const head of heads) headByStream.set(head.stream, head);
  const problems: ChainProblem[] = [];
  const seen = new Set<string>();
  let walk: ChainWalk | undefined;
  const finish = () => {
    if (!walk) return;
    const problem = walk.finish(headByStream.get(walk.stream));
    if (problem) problems.push(problem);
  };
  for (const row of rows) {
    if (walk?.stream !== row.stream) {
      finish();
      walk = new ChainWalk(row.stream);
      seen.add(row.stream);
    }
    walk.add(row);
  }
  finish();
  for (const head of headByStream.values()) {
    if (!seen.has(head.stream)) problems.push(new ChainWalk(head.stream).finish(head) as ChainProblem);
  }
  return problems;
}

/** Follows one stream's chain row by row and remembers the first break. */
class ChainWalk {
  private version = 0;
  private prevHash = GENESIS_HASH;
  private lastPosition = 0;
  private problem: ChainProblem | undefined;

  constructor(readonly stream: string) {}

  add(row: StoredEvent): void {
    if (this.problem) return;
    const expected = this.version + 1;
    if (row.version !== expected) {
      this.fail(expected, row.version > expected ? `version ${expected} is missing (next stored version is ${row.version})` : `version ${row.version} is out of order`);
      return;
    }
    if (row.prevHash !== this.prevHash) {
      this.fail(row.version, 'prev_hash does not match the hash of the previous event');
      return;
    }
    if (recomputeHash(row) !== row.hash) {
      this.fail(row.version, 'content does not match its hash: the event was edited');
      return;
    }
    this.version = row.version;
    this.prevHash = row.hash;
    this.lastPosition = row.position;
  }

  finish(head: StreamHeadRecord | undefined): ChainProblem | undefined {
    if (this.problem) return this.problem;
    if (!head) return this.version === 0 ? undefined : this.fail(this.version, 'the stream head record is missing');
    if (head.version > this.version) return this.fail(this.version + 1, `version ${this.version + 1} is missing (the stream head says ${head.version})`);
    if (head.version < this.version) return this.fail(head.version + 1, `version ${head.version + 1} lies beyond the stream head ${head.version}`);
    if (head.lastHash !== this.prevHash || head.lastPosition !== this.lastPosition) {
      return this.fail(this.version, 'the stream head does not match the last event');
    }
    return undefined;
  }

  private fail(version: number, reason: string): ChainProblem {
    this.problem = { stream: this.stream, version, reason };
    return this.problem;
  }
}

/**
 * The row's hash recomputed from its content. First over the stored text as it is (the bytes the
 * append hashed: canonicalEventHash), which costs one sha256 and no parsing; only when that
 * differs, from the parsed objects with core's eventHash, independently of the append's shortcut
 * (a row written by an older build whose text was not the canonical form still verifies). An
 * edit changes the stored text, so it fails both. A row whose JSON no longer parses was edited
 * too: reported as a mismatch, not a crash.
 */
function recomputeHash(row: StoredEvent): string | undefined {
  const fast = canonicalEventHash(row.prevHash, row.stream, row.version, row);
  if (fast === row.hash) return fast;
  try {
    const event = { type: row.type, data: JSON.parse(row.data), stateAfter: JSON.parse(row.stateAfter), meta: JSON.parse(row.meta) };
    return eventHash(row.prevHash, row.stream, row.version, event);
  } catch {
    return undefined;
  }
}
