// The inspector's server-sent events, shaped from the engine's read feed: for one stream (and the
// streams related to it, such as a master session's portal queue) every event with the state it led to (the stream view appends it to the timeline and moves the
// highlight); for the list, the changed summaries coalesced every 250 ms (a busy engine writes
// far more events than a list needs to repaint). A `ready` event opens each feed so the page
// knows when it is listening, and a ping every 15 s keeps idle connections through proxies.
import type { MessageEvent } from '@nestjs/common';
import { bufferTime, filter, interval, map, merge, Observable, of } from 'rxjs';
import type { ActorState, StateChange, StateFeed } from '@engine/core';
import { screenshotReferences } from './artifact-files';
import { currentOf } from './current-state';
import { summaryOf } from './stream-list';

const LIST_COALESCE_MS = 250;
const PING_MS = 15_000;

/** Every change the feed applies from now on, as an Observable (unsubscribing leaves the feed). */
export function changesOf(feed: StateFeed): Observable<StateChange> {
  return new Observable<StateChange>((subscriber) => feed.subscribe((change) => subscriber.next(change)));
}

export function liveEvents(feed: StateFeed, stream?: string, related: readonly string[] = []): Observable<MessageEvent> {
  const changes = changesOf(feed);
  const updates = stream === undefined ? listUpdates(feed, changes) : streamUpdates(changes, [stream, ...related]);
  const pings = interval(PING_MS).pipe(map((): MessageEvent => ({ type: 'ping', data: {} })));
  return merge(of<MessageEvent>({ type: 'ready', data: { stream: stream ?? null } }), updates, pings);
}

function streamUpdates(changes: Observable<StateChange>, streams: readonly string[]): Observable<MessageEvent> {
  return changes.pipe(
    filter(({ event }) => streams.includes(event.stream)),
    map(({ event: e }): MessageEvent => ({
      type: 'event',
      id: String(e.position),
      data: { stream: e.stream, type: e.type, at: e.meta.at, ...currentOf(e), screenshots: screenshotReferences((e.stateAfter as ActorState | null)?.context) },
    })),
  );
}

function listUpdates(feed: StateFeed, changes: Observable<StateChange>): Observable<MessageEvent> {
  return changes.pipe(
    bufferTime(LIST_COALESCE_MS),
    filter((batch) => batch.length > 0),
    map((batch): MessageEvent => {
      const latest = new Map(batch.map(({ entry }) => [entry.stream, entry]));
      return { type: 'streams', id: String(batch[batch.length - 1].event.position), data: { items: [...latest.values()].map(summaryOf), total: feed.size } };
    }),
  );
}
