// The inspector's server-sent events, shaped from the feed: for one stream every event with
// the state it led to (the stream view appends it to the timeline and moves the highlight);
// for the list, the changed summaries coalesced every 250 ms (a busy engine writes far more
// events than a list needs to repaint). A `ready` event opens each feed so the page knows
// when it is listening, and a ping every 15 s keeps idle connections through proxies.
import type { MessageEvent } from '@nestjs/common';
import { bufferTime, filter, interval, map, merge, of, type Observable } from 'rxjs';
import type { ActorState, RecordedEvent } from '@engine/core';
import { screenshotReferences } from './artifact-files';
import type { InspectorFeed } from './inspector-feed';
import { currentOf } from './current-state';
import type { StreamSummary } from './stream-index';

const LIST_COALESCE_MS = 250;
const PING_MS = 15_000;

export function liveEvents(feed: InspectorFeed, stream?: string): Observable<MessageEvent> {
  const updates = stream === undefined ? listUpdates(feed) : streamUpdates(feed.events, stream);
  const pings = interval(PING_MS).pipe(map((): MessageEvent => ({ type: 'ping', data: {} })));
  return merge(of<MessageEvent>({ type: 'ready', data: { stream: stream ?? null } }), updates, pings);
}

function streamUpdates(events: Observable<RecordedEvent>, stream: string): Observable<MessageEvent> {
  return events.pipe(
    filter((e) => e.stream === stream),
    map((e): MessageEvent => ({
      type: 'event',
      id: String(e.position),
      data: { stream: e.stream, type: e.type, at: e.meta.at, ...currentOf(e), screenshots: screenshotReferences((e.stateAfter as ActorState | null)?.context) },
    })),
  );
}

function listUpdates(feed: InspectorFeed): Observable<MessageEvent> {
  return feed.events.pipe(
    bufferTime(LIST_COALESCE_MS),
    filter((batch) => batch.length > 0),
    map((batch): MessageEvent => {
      const streams = new Set(batch.map((e) => e.stream));
      const items = [...streams].map((s) => feed.index.get(s)).filter((s): s is StreamSummary => s !== undefined);
      return { type: 'streams', id: String(batch[batch.length - 1].position), data: { items, total: feed.index.size } };
    }),
  );
}
