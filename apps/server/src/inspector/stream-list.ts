// The inspector's stream list, read from the engine's read feed (one summary per stream): no
// index of its own. A page is the next `limit` matches after the cursor in name order, so its
// cost grows with the page, not the store; the totals per kind come from one pass.
import type { StateFeed, StreamState } from '@engine/core';
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
  /** Streams per kind in the whole feed, for the filter menu. */
  kinds: Record<string, number>;
}

export function summaryOf(entry: StreamState): StreamSummary {
  const value = entry.state?.value;
  const leaves = value !== undefined ? activeLeafPaths(value) : [];
  return {
    stream: entry.stream,
    kind: entry.kind,
    state: leaves.length > 0 ? stateLabel(value) : entry.lastEventType,
    status: entry.state ? entry.state.status : 'fact',
    version: entry.version,
    position: entry.position,
    lastEventType: entry.lastEventType,
    lastEventAt: entry.updatedAt,
  };
}

export function listStreams(feed: StateFeed, query: ListQuery): ListPage {
  const matches = matcher(query);
  const page = feed.page({ after: query.cursor === undefined ? undefined : decodeCursor(query.cursor), limit: query.limit, filter: matches });
  let total = 0;
  const kinds: Record<string, number> = {};
  for (const entry of feed.all()) {
    kinds[entry.kind] = (kinds[entry.kind] ?? 0) + 1;
    if (matches(entry)) total += 1;
  }
  return { items: page.items.map(summaryOf), next: page.next === null ? null : encodeCursor(page.next), total, kinds };
}

function matcher(query: ListQuery): (entry: StreamState) => boolean {
  const text = query.text?.toLowerCase();
  const state = query.state;
  return (entry) => {
    if (query.kind !== undefined && entry.kind !== query.kind) return false;
    if (query.status !== undefined && (entry.state ? entry.state.status : 'fact') !== query.status) return false;
    if (text !== undefined && !entry.stream.toLowerCase().includes(text)) return false;
    if (state === undefined) return true;
    const summary = summaryOf(entry);
    const leaves = entry.state ? activeLeafPaths(entry.state.value) : [];
    return summary.state === state || leaves.some((leaf) => leaf === state || leaf.startsWith(`${state}.`));
  };
}

/** Cursors are opaque to clients: the name of the last stream on the page, base64url. */
export function encodeCursor(stream: string): string {
  return Buffer.from(stream, 'utf8').toString('base64url');
}

function decodeCursor(cursor: string): string {
  return Buffer.from(cursor, 'base64url').toString('utf8');
}
