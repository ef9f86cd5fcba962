// Events that carry their canonical text. The host's step makes every state JSON-normal anyway
// (what it keeps in memory must equal what the store holds), and doing so yields the canonical
// text in the same walk; the stores take that text instead of serialising the event again, and
// the SQLite store hands the event itself to its subscriptions instead of decoding the row it
// wrote. Stores still serialise any other event themselves, as before.
import { canonicalize } from './canonical-json';
import type { EventMeta, NewEvent } from './recorded-event';

/** The canonical JSON text of an event's parts (canonicalJson of each). */
export interface CanonicalEventText {
  data: string;
  stateAfter: string;
  meta: string;
}

const texts = new WeakMap<NewEvent, CanonicalEventText>();

/**
 * The event with its parts as JSON-normal copies (exactly what a store reads back), frozen, its
 * canonical text remembered for the store. Neither it nor anything it references may be changed
 * afterwards: the store trusts the text to describe the objects.
 */
export function canonicalEvent(type: string, data: unknown, stateAfter: unknown, meta: EventMeta): NewEvent {
  const d = canonicalize(data);
  const s = canonicalize(stateAfter);
  const m = canonicalize(meta);
  const event: NewEvent = Object.freeze({ type, data: d.value, stateAfter: s.value, meta: m.value });
  texts.set(event, { data: d.text, stateAfter: s.text, meta: m.text });
  return event;
}

/** The canonical text of an event made by canonicalEvent; undefined for any other. */
export function canonicalTextOf(event: NewEvent): CanonicalEventText | undefined {
  return texts.get(event);
}
