// canonicalEventHash is a shortcut for core's eventHash; this holds the two equal for any
// JSON an event can carry, including keys that sort surprisingly and strings that need escaping.
import fc from 'fast-check';
import { canonicalJson, eventHash, type NewEvent } from '@engine/core';
import { canonicalEventHash } from './canonical-event-hash';

const json = fc.jsonValue();
const meta = fc.dictionary(fc.string(), json).map((extra) => ({ ...extra, at: '2026-01-01T00:00:00.000Z' }));
const eventArbitrary = fc.record({ type: fc.string({ minLength: 1 }), data: json, stateAfter: json, meta });

describe('canonicalEventHash', () => {
  it('equals eventHash for any event, stream, version and previous hash', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), fc.nat(), fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: 64, maxLength: 64 }), eventArbitrary, (stream, version, prevHash, event) => {
        const parts = { type: event.type, data: canonicalJson(event.data), stateAfter: canonicalJson(event.stateAfter), meta: canonicalJson(event.meta) };
        expect(canonicalEventHash(prevHash, stream, version, parts)).toBe(eventHash(prevHash, stream, version, event as NewEvent));
      }),
      { numRuns: 500 },
    );
  });

  it('changes when any part changes', () => {
    const parts = { type: 'job.created', data: '{"a":1}', stateAfter: 'null', meta: '{"at":"x"}' };
    const hash = canonicalEventHash('0'.repeat(64), 'job-1', 1, parts);
    expect(canonicalEventHash('0'.repeat(64), 'job-1', 1, { ...parts, data: '{"a":2}' })).not.toBe(hash);
    expect(canonicalEventHash('0'.repeat(64), 'job-1', 2, parts)).not.toBe(hash);
    expect(canonicalEventHash('0'.repeat(64), 'job-2', 1, parts)).not.toBe(hash);
    expect(canonicalEventHash('1'.repeat(64), 'job-1', 1, parts)).not.toBe(hash);
  });
});
