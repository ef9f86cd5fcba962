// The inspector's list over the engine's read feed: paging in name order with opaque cursors,
// filters (kind, status, nested state, text) with totals, live changes, pure facts.
import { SimulatedClock, StateFeed, type RecordedEvent } from '@engine/core';
import { listStreams } from './stream-list';

let position = 0;
function event(stream: string, version: number, value: unknown, status = 'active', type = 'X'): RecordedEvent {
  position += 1;
  return {
    stream,
    version,
    position,
    type,
    data: {},
    stateAfter: { value, context: {}, status, effects: {}, timers: {} },
    meta: { at: new Date(Date.UTC(2026, 0, 1, 0, 0, position)).toISOString() },
    hash: 'h',
    prevHash: 'p',
  };
}

const kindOf = (stream: string) => (stream.startsWith('master-') ? 'master-session' : stream.slice(0, stream.indexOf('-')));

function feedOf(count: number): StateFeed {
  const feed = new StateFeed({ clock: new SimulatedClock(), kindOf });
  const heads = [];
  for (let i = 0; i < count; i++) {
    const stream = `job-${String(i).padStart(5, '0')}`;
    heads.push({ stream, version: 3, lastEvent: event(stream, 3, i % 3 === 0 ? 'submitted' : 'filling', i % 3 === 0 ? 'done' : 'active') });
  }
  feed.load(heads);
  return feed;
}

describe('the inspector stream list', () => {
  it('pages through every stream exactly once, in name order, with opaque cursors', () => {
    const feed = feedOf(1003);
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = listStreams(feed, { limit: 100, cursor });
      expect(page.total).toBe(1003);
      seen.push(...page.items.map((s) => s.stream));
      cursor = page.next ?? undefined;
      if (cursor) expect(cursor).not.toContain('job-');
      pages += 1;
    } while (cursor);
    expect(pages).toBe(11);
    expect(seen).toEqual([...seen].sort());
    expect(new Set(seen).size).toBe(1003);
  });

  it('filters by kind, status, state (including nested states) and text, and counts the matches', () => {
    const feed = feedOf(30);
    feed.apply(event('master-portal-a', 1, { recovering: { soft: { attempt: 'relogin' } } }));
    feed.apply(event('heartbeat-b1', 1, 'healthy'));
    expect(listStreams(feed, { limit: 50, kind: 'master-session' }).items.map((s) => s.stream)).toEqual(['master-portal-a']);
    expect(listStreams(feed, { limit: 50, state: 'recovering' }).items.map((s) => s.state)).toEqual(['recovering.soft.attempt.relogin']);
    expect(listStreams(feed, { limit: 50, state: 'recovering.soft' }).total).toBe(1);
    expect(listStreams(feed, { limit: 50, state: 'recover' }).total).toBe(0);
    const submitted = listStreams(feed, { limit: 5, state: 'submitted' });
    expect(submitted.total).toBe(10);
    expect(submitted.items.every((s) => s.state === 'submitted' && s.status === 'done')).toBe(true);
    expect(listStreams(feed, { limit: 50, status: 'active', kind: 'job' }).total).toBe(20);
    expect(listStreams(feed, { limit: 50, text: 'JOB-0001' }).items.map((s) => s.stream)).toEqual(Array.from({ length: 10 }, (_, i) => `job-000${10 + i}`));
    expect(listStreams(feed, { limit: 1 }).kinds).toEqual({ job: 30, 'master-session': 1, heartbeat: 1 });
  });

  it('keeps the last page without a next cursor, and an exact multiple of the limit ends cleanly', () => {
    const feed = feedOf(20);
    const first = listStreams(feed, { limit: 10 });
    const second = listStreams(feed, { limit: 10, cursor: first.next as string });
    expect(second.items).toHaveLength(10);
    expect(second.next).toBeNull();
  });

  it('shows live changes: a new stream joins in order, the next version updates, a stale one is ignored', () => {
    const feed = feedOf(3);
    expect(feed.apply(event('job-00001a', 1, 'pending'))).toBe(true);
    expect(listStreams(feed, { limit: 10 }).items.map((s) => s.stream)).toEqual(['job-00000', 'job-00001', 'job-00001a', 'job-00002']);
    expect(feed.apply(event('job-00001', 4, 'submitting'))).toBe(true);
    expect(feed.apply(event('job-00001', 2, 'cloning'))).toBe(false);
    expect(listStreams(feed, { limit: 10, text: 'job-00001' }).items[0]).toMatchObject({ state: 'submitting', version: 4, lastEventType: 'X' });
  });

  it('a cursor stays valid while streams are added before and after it', () => {
    const feed = feedOf(10);
    const first = listStreams(feed, { limit: 5 });
    feed.apply(event('job-00000a', 1, 'pending'));
    feed.apply(event('job-00009a', 1, 'pending'));
    const rest = listStreams(feed, { limit: 10, cursor: first.next as string });
    expect(rest.items.map((s) => s.stream)).toEqual(['job-00005', 'job-00006', 'job-00007', 'job-00008', 'job-00009', 'job-00009a']);
  });

  it('shows the event type as the state of a pure fact without a machine state', () => {
    const feed = new StateFeed({ clock: new SimulatedClock(), kindOf });
    feed.apply({ ...event('inbox-job-1', 1, undefined, 'active', 'command.forwarded'), stateAfter: null });
    expect(listStreams(feed, { limit: 5 }).items[0]).toMatchObject({ kind: 'inbox', state: 'command.forwarded', status: 'fact' });
  });
});
