// How every adapter holds an event at rest: canonical JSON text plus its link in the stream's
// hash chain. An event is serialized once, when `append` is called, and the hash is computed
// over that text, so what is hashed, what is stored and what readers get back are the same
// even if the caller mutates its object while the append waits for its group commit.
import { EngineError, ValidationError, canonicalJson, canonicalTextOf, type ExpectedVersion, type NewEvent, type RecordedEvent } from '@engine/core';
import { canonicalEventHash, type CanonicalEventParts } from './canonical-event-hash';

/** One row of the log, as the SQLite `events` table (and the memory log) holds it. */
export interface StoredEvent {
  position: number;
  stream: string;
  version: number;
  type: string;
  data: string;
  stateAfter: string;
  meta: string;
  prevHash: string;
  hash: string;
}

/** An event serialized at append time, before the store knows its version and position. */
export interface EncodedEvent extends CanonicalEventParts {
  /**
   * The appended event itself when it came with its canonical text (core's canonicalEvent): its
   * parts are already what a reader decodes from that text, so a store may hand them out as read.
   */
  source?: NewEvent;
}

/** Serializes a batch for `append`, rejecting input that could not be stored faithfully. */
export function encodeEvents(stream: string, events: NewEvent[]): EncodedEvent[] {
  if (typeof stream !== 'string' || stream.length === 0 || stream.includes('\u0000')) {
    throw new ValidationError('stream name must be a non-empty string without NUL', { stream: 'invalid' });
  }
  if (!Array.isArray(events) || events.length === 0) {
    throw new ValidationError(`append to ${stream} needs at least one event`, { events: 'empty' });
  }
  return events.map((event, index) => encodeEvent(event, index));
}

function encodeEvent(event: NewEvent, index: number): EncodedEvent {
  if (typeof event?.type !== 'string' || event.type.length === 0 || event.type.includes('\u0000')) {
    throw new ValidationError(`event ${index}: type must be a non-empty string without NUL`, { [`events.${index}.type`]: 'invalid' });
  }
  if (event.meta === null || typeof event.meta !== 'object' || Array.isArray(event.meta)) {
    throw new ValidationError(`event ${index}: meta must be an object`, { [`events.${index}.meta`]: 'invalid' });
  }
  const text = canonicalTextOf(event);
  if (text) return { type: event.type, data: text.data, stateAfter: text.stateAfter, meta: text.meta, source: event };
  return {
    type: event.type,
    data: toJson(event.data, `events.${index}.data`),
    stateAfter: toJson(event.stateAfter, `events.${index}.stateAfter`),
    meta: toJson(event.meta, `events.${index}.meta`),
  };
}

/**
 * Canonical JSON is valid JSON and parses back to the same canonical text, so one string serves
 * as stored form and hash input. `undefined` (absent data, pure facts) is stored as null; values
 * JSON cannot hold (BigInt, cycles, a bare function) are refused.
 */
function toJson(value: unknown, field: string): string {
  if (typeof value === 'function' || typeof value === 'symbol') throw new ValidationError(`${field} is not serializable as JSON`, { [field]: 'not JSON' });
  try {
    return canonicalJson(value);
  } catch (error) {
    throw new ValidationError(`${field} is not serializable as JSON: ${(error as Error).message}`, { [field]: 'not JSON' });
  }
}

/** Places an encoded event at `version` after `prevHash` in its stream's chain. */
export function chainEvent(stream: string, version: number, prevHash: string, event: EncodedEvent): Omit<StoredEvent, 'position'> {
  return {
    stream,
    version,
    type: event.type,
    data: event.data,
    stateAfter: event.stateAfter,
    meta: event.meta,
    prevHash,
    hash: canonicalEventHash(prevHash, stream, version, event),
  };
}

export function toRecordedEvent(row: StoredEvent): RecordedEvent {
  return {
    stream: row.stream,
    version: row.version,
    position: row.position,
    type: row.type,
    data: JSON.parse(row.data),
    stateAfter: JSON.parse(row.stateAfter),
    meta: JSON.parse(row.meta),
    hash: row.hash,
    prevHash: row.prevHash,
  };
}

export function checkExpectedVersion(expectedVersion: ExpectedVersion): void {
  if (expectedVersion === 'any' || expectedVersion === 'no-stream') return;
  if (!Number.isSafeInteger(expectedVersion) || expectedVersion < 0) {
    throw new ValidationError(`expectedVersion must be 'no-stream', 'any' or a version >= 0, got ${String(expectedVersion)}`, {
      expectedVersion: 'invalid',
    });
  }
}

/** Whether a stream at `actual` accepts an append that expects `expected`. */
export function versionMatches(expected: ExpectedVersion, actual: number): boolean {
  if (expected === 'any') return true;
  if (expected === 'no-stream') return actual === 0;
  return expected === actual;
}

/** What every call on a closed store fails with. */
export function storeClosedError(what: string): EngineError {
  return new EngineError('STORE_CLOSED', `event store is closed: cannot ${what}`);
}

/** The arguments of `removeStream`, refused alike by every adapter before anything is touched. */
export function checkRemoval(stream: string, expectedVersion: number): void {
  if (typeof stream !== 'string' || stream.length === 0) throw new ValidationError('stream name must be a non-empty string', { stream: 'invalid' });
  if (!Number.isSafeInteger(expectedVersion) || expectedVersion < 1) {
    throw new ValidationError(`removing ${stream} needs the version it is at`, { expectedVersion: 'not a positive integer' });
  }
}
