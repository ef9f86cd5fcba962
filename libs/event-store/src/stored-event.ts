// How every adapter holds an event at rest: JSON text plus its link in the stream's hash chain.
// An event is serialized once, when `append` is called, and the hash is computed over that
// serialized form, so what is hashed, what is stored and what readers get back are the same
// even if the caller mutates its object while the append waits for its group commit.
import { EngineError, ValidationError, eventHash, type ExpectedVersion, type NewEvent, type RecordedEvent } from '@engine/core';

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
export interface EncodedEvent {
  type: string;
  data: string;
  stateAfter: string;
  meta: string;
  /** The event as readers will see it (parsed back from the JSON text): the input to the hash. */
  normalized: NewEvent;
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
  const data = toJson(event.data, `events.${index}.data`);
  const stateAfter = toJson(event.stateAfter, `events.${index}.stateAfter`);
  const meta = toJson(event.meta, `events.${index}.meta`);
  return {
    type: event.type,
    data,
    stateAfter,
    meta,
    normalized: { type: event.type, data: JSON.parse(data), stateAfter: JSON.parse(stateAfter), meta: JSON.parse(meta) },
  };
}

/** `undefined` (absent data, pure facts) is stored as null; values JSON cannot hold are refused. */
function toJson(value: unknown, field: string): string {
  let text: string | undefined;
  try {
    text = value === undefined ? 'null' : JSON.stringify(value);
  } catch (error) {
    throw new ValidationError(`${field} is not serializable as JSON: ${(error as Error).message}`, { [field]: 'not JSON' });
  }
  if (text === undefined) throw new ValidationError(`${field} is not serializable as JSON`, { [field]: 'not JSON' });
  return text;
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
    hash: eventHash(prevHash, stream, version, event.normalized),
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
