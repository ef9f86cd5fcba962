// The chain check over stored rows: the stored text is hashed as it is first, and only a row
// whose text is not the form the append hashed is recomputed from its parsed objects. Rows
// written as today (canonical text) and rows an older build wrote with the same content in
// another key order both verify; an edit to either fails.
import { GENESIS_HASH, canonicalJson, eventHash, type NewEvent } from '@engine/core';
import { canonicalEventHash } from './canonical-event-hash';
import { verifyChains } from './chain-verifier';
import type { StoredEvent } from './stored-event';

const events: NewEvent[] = [
  { type: 'actor.started', data: { input: { jobId: 'j1', payload: { b: 2, a: 1 } } }, stateAfter: { value: 'pending', context: { n: 0 } }, meta: { at: '2026-01-01T00:00:00.000Z' } },
  { type: 'START', data: { at: '2026-01-01T00:00:01.000Z' }, stateAfter: { value: 'cloning', context: { n: 1 } }, meta: { at: '2026-01-01T00:00:01.000Z', machineId: 'job' } },
];

/** Rows as today's append writes them: canonical text, hashed from that text. */
function canonicalRows(): StoredEvent[] {
  let prevHash = GENESIS_HASH;
  return events.map((e, i) => {
    const parts = { type: e.type, data: canonicalJson(e.data), stateAfter: canonicalJson(e.stateAfter), meta: canonicalJson(e.meta) };
    const hash = canonicalEventHash(prevHash, 'job-j1', i + 1, parts);
    const row = { position: i + 1, stream: 'job-j1', version: i + 1, ...parts, prevHash, hash };
    prevHash = hash;
    return row;
  });
}

/** Rows as a build that stored plain JSON.stringify text (keys in insertion order) would have: hashed from the objects. */
function plainTextRows(): StoredEvent[] {
  let prevHash = GENESIS_HASH;
  return events.map((e, i) => {
    const hash = eventHash(prevHash, 'job-j1', i + 1, e);
    const row = { position: i + 1, stream: 'job-j1', version: i + 1, type: e.type, data: JSON.stringify(e.data), stateAfter: JSON.stringify(e.stateAfter), meta: JSON.stringify(e.meta), prevHash, hash };
    prevHash = hash;
    return row;
  });
}

const headOf = (rows: StoredEvent[]) => [{ stream: 'job-j1', version: rows.length, lastHash: rows[rows.length - 1].hash, lastPosition: rows.length }];

describe('verifyChains', () => {
  it('verifies rows written as canonical text, and rows an older build wrote in another key order', () => {
    const canonical = canonicalRows();
    const plain = plainTextRows();
    expect(plain[0].data).not.toBe(canonical[0].data);
    expect(verifyChains(canonical, headOf(canonical))).toEqual([]);
    expect(verifyChains(plain, headOf(plain))).toEqual([]);
  });

  it.each([
    ['canonical', canonicalRows],
    ['older key order', plainTextRows],
  ])('reports an edited value in %s rows at its version', (_name, rowsOf) => {
    const rows = rowsOf();
    rows[1] = { ...rows[1], stateAfter: rows[1].stateAfter.replace('"n":1', '"n":7') };
    expect(rows[1].stateAfter).toContain('"n":7');
    expect(verifyChains(rows, headOf(rows))).toEqual([{ stream: 'job-j1', version: 2, reason: 'content does not match its hash: the event was edited' }]);
  });

  it('reports a row whose text no longer parses as edited, not as a crash', () => {
    const rows = canonicalRows();
    rows[0] = { ...rows[0], data: rows[0].data.slice(0, -1) };
    expect(verifyChains(rows, headOf(rows))).toEqual([{ stream: 'job-j1', version: 1, reason: 'content does not match its hash: the event was edited' }]);
  });
});
