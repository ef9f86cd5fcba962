import type { RecordedEvent } from '@engine/core';
import { StreamIndex } from './stream-index';

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

function indexOf(count: number): StreamIndex {
  const index = new StreamIndex(kindOf);
  const heads = [];
  for (let i = 0; i < count; i++) {
    const stream = `job-${String(i).padStart(5, '0')}`;
    heads.push({ stream, version: 3, lastEvent: event(stream, 3, i % 3 === 0 ? 'submitted' : 'filling', i % 3 === 0 ? 'done' : 'active') });
  }
  index.load(heads);
  return index;
}

describe('StreamIndex', () => {
  it('pages through every stream exactly once, in name order, with opaque cursors', () => {
    const index = indexOf(1003);
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = index.list({ limit: 100, cursor });
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
    const index = indexOf(30);
    index.apply(event('master-portal-a', 1, { recovering: { soft: { attempt: 'relogin' } } }));
    index.apply(event('heartbeat-b1', 1, 'healthy'));
    expect(index.list({ limit: 50, kind: 'master-session' }).items.map((s) => s.stream)).toEqual(['master-portal-a']);
    expect(index.list({ limit: 50, state: 'recovering' }).items.map((s) => s.state)).toEqual(['recovering.soft.attempt.relogin']);
    expect(index.list({ limit: 50, state: 'recovering.soft' }).total).toBe(1);
    expect(index.list({ limit: 50, state: 'recover' }).total).toBe(0);
    const submitted = index.list({ limit: 5, state: 'submitted' });
    expect(submitted.total).toBe(10);
    expect(submitted.items.every((s) => s.state === 'submitted' && s.status === 'done')).toBe(true);
    expect(index.list({ limit: 50, status: 'active', kind: 'job' }).total).toBe(20);
    expect(index.list({ limit: 50, text: 'JOB-0001' }).items.map((s) => s.stream)).toEqual(Array.from({ length: 10 }, (_, i) => `job-000${10 + i}`));
    expect(index.list({ limit: 1 }).kinds).toEqual({ job: 30, 'master-session': 1, heartbeat: 1 });
  });

  it('keeps the last page without a next cursor, and an exact multiple of the limit ends cleanly', () => {
    const index = indexOf(20);
    const first = index.list({ limit: 10 });
    const second = index.list({ limit: 10, cursor: first.next as string });
    expect(second.items).toHaveLength(10);
    expect(second.next).toBeNull();
  });

  it('applies live events: a new stream joins in order, a newer event updates, an older one is ignored', () => {
    const index = indexOf(3);
    const added = index.apply(event('job-00001a', 1, 'pending'));
    expect(added?.state).toBe('pending');
    expect(index.list({ limit: 10 }).items.map((s) => s.stream)).toEqual(['job-00000', 'job-00001', 'job-00001a', 'job-00002']);
    expect(index.apply(event('job-00001', 4, 'submitting'))?.version).toBe(4);
    expect(index.apply(event('job-00001', 2, 'cloning'))).toBeNull();
    expect(index.get('job-00001')).toMatchObject({ state: 'submitting', version: 4, lastEventType: 'X' });
    expect(index.position).toBe(position);
  });

  it('a cursor stays valid while streams are added before and after it', () => {
    const index = indexOf(10);
    const first = index.list({ limit: 5 });
    index.apply(event('job-00000a', 1, 'pending'));
    index.apply(event('job-00009a', 1, 'pending'));
    const rest = index.list({ limit: 10, cursor: first.next as string });
    expect(rest.items.map((s) => s.stream)).toEqual(['job-00005', 'job-00006', 'job-00007', 'job-00008', 'job-00009', 'job-00009a']);
  });

  it('shows the event type as the state of a pure fact without a machine state', () => {
    const index = new StreamIndex(kindOf);
    index.apply({ ...event('workflow-w1', 1, undefined, 'active', 'workflow.created'), stateAfter: null });
    expect(index.get('workflow-w1')).toMatchObject({ kind: 'workflow', state: 'workflow.created', status: 'fact' });
  });
});
