// The inspector's stream list as a read model: one summary per stream, loaded from a single
// `heads()` read and kept fresh by applying every event the store subscription delivers, so
// listing, filtering and paging never touch the store. Streams are kept sorted by name, and a
// page is the next `limit` matches after the cursor: cost grows with the page, not the store.
import type { ActorState, RecordedEvent, StreamHead } from '@engine/core';
import { activeLeafPaths, stateLabel } from './chart/statechart-graph';

export interface StreamSummary {
  stream: string;
  kind: string;
  /** Leaf state paths joined (`recovering.soft.attempt.relogin`); the event type for pure facts. */
  state: string;
  status: string;
  version: number;
  position: number;
  lastEventType: string;
  lastEventAt: string;
}

export interface ListQuery {
  kind?: string;
  /** A state path: matches that state and every state nested in it. */
  state?: string;
  status?: string;
  /** Case-insensitive substring of the stream name. */
  text?: string;
  /** Opaque, from a previous page's `next`. */
  cursor?: string;
  limit: number;
}

export interface ListPage {
  items: StreamSummary[];
  /** Cursor of the next page; null on the last one. */
  next: string | null;
  /** Streams matching the filters (all pages). */
  total: number;
  /** Streams per kind in the whole index, for the filter menu. */
  kinds: Record<string, number>;
}

interface Entry extends StreamSummary {
  leaves: string[];
  lowerName: string;
}

export class StreamIndex {
  private readonly entries = new Map<string, Entry>();
  /** Stream names in ascending order; new streams are inserted in place. */
  private readonly names: string[] = [];
  private lastPosition = 0;

  constructor(private readonly kindOf: (stream: string) => string) {}

  /** Loads the heads of a `heads()` read; later events win over older heads of the same stream. */
  load(heads: readonly StreamHead[]): void {
    for (const head of heads) this.apply(head.lastEvent);
  }

  /** The position to subscribe from so that nothing after the loaded heads is missed. */
  get position(): number {
    return this.lastPosition;
  }

  get size(): number {
    return this.entries.size;
  }

  /** Applies one event; returns the stream's new summary, or null when the event was older than what is known. */
  apply(event: RecordedEvent): StreamSummary | null {
    this.lastPosition = Math.max(this.lastPosition, event.position);
    const known = this.entries.get(event.stream);
    if (known && known.version >= event.version) return null;
    const state = event.stateAfter as Partial<ActorState> | null;
    const leaves = state && state.value !== undefined ? activeLeafPaths(state.value) : [];
    const entry: Entry = {
      stream: event.stream,
      kind: known?.kind ?? this.kindOf(event.stream),
      state: leaves.length > 0 ? stateLabel(state?.value) : event.type,
      status: typeof state?.status === 'string' ? state.status : 'fact',
      version: event.version,
      position: event.position,
      lastEventType: event.type,
      lastEventAt: event.meta.at,
      leaves,
      lowerName: event.stream.toLowerCase(),
    };
    if (!known) this.names.splice(lowerBound(this.names, event.stream), 0, event.stream);
    this.entries.set(event.stream, entry);
    return summary(entry);
  }

  get(stream: string): StreamSummary | undefined {
    const entry = this.entries.get(stream);
    return entry && summary(entry);
  }

  list(query: ListQuery): ListPage {
    const matches = matcher(query);
    const start = query.cursor === undefined ? 0 : upperBound(this.names, decodeCursor(query.cursor));
    const items: StreamSummary[] = [];
    let next: string | null = null;
    for (let i = start; i < this.names.length; i++) {
      const entry = this.entries.get(this.names[i]) as Entry;
      if (!matches(entry)) continue;
      if (items.length === query.limit) {
        next = encodeCursor(items[items.length - 1].stream);
        break;
      }
      items.push(summary(entry));
    }
    let total = 0;
    const kinds: Record<string, number> = {};
    for (const entry of this.entries.values()) {
      kinds[entry.kind] = (kinds[entry.kind] ?? 0) + 1;
      if (matches(entry)) total += 1;
    }
    return { items, next, total, kinds };
  }
}

function matcher(query: ListQuery): (entry: Entry) => boolean {
  const text = query.text?.toLowerCase();
  const state = query.state;
  return (entry) =>
    (query.kind === undefined || entry.kind === query.kind) &&
    (query.status === undefined || entry.status === query.status) &&
    (text === undefined || entry.lowerName.includes(text)) &&
    (state === undefined || entry.state === state || entry.leaves.some((leaf) => leaf === state || leaf.startsWith(`${state}.`)));
}

function summary(entry: Entry): StreamSummary {
  const { stream, kind, state, status, version, position, lastEventType, lastEventAt } = entry;
  return { stream, kind, state, status, version, position, lastEventType, lastEventAt };
}

/** Cursors are opaque to clients: the name of the last stream on the page, base64url. */
export function encodeCursor(stream: string): string {
  return Buffer.from(stream, 'utf8').toString('base64url');
}

function decodeCursor(cursor: string): string {
  return Buffer.from(cursor, 'base64url').toString('utf8');
}

/** First index whose name is >= `name`. */
function lowerBound(names: readonly string[], name: string): number {
  let low = 0;
  let high = names.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (names[mid] < name) low = mid + 1;
    else high = mid;
  }
  return low;
}

/** First index whose name is > `name`. */
function upperBound(names: readonly string[], name: string): number {
  let low = 0;
  let high = names.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (names[mid] <= name) low = mid + 1;
    else high = mid;
  }
  return low;
}
