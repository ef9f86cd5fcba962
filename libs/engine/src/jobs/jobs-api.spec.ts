// Paging the job list: a page starts after the cursor's place in the oldest-first order, even
// when the cursor job has left the filter since (its state changed); a malformed or altered
// cursor is a 400. Jobs are real job-machine states written into a real read feed, which the
// job index projection follows (memory adapter).
import { ActorHost, SimulatedClock, type RecordedEvent } from '@engine/core';
import { MemoryEventStore } from '@engine/event-store';
import { initialJobContext, JOB_MACHINE } from '@engine/machines';
import type { JobIntake } from './job-intake';
import type { JobScheduler } from './job-scheduler';
import { encodeJobCursor } from './job-index/job-index';
import { JobIndexProjection } from './job-index/job-index-projection';
import { MemoryJobIndex } from './job-index/memory-job-index';
import { JobsApi } from './jobs-api';

const host = () => new ActorHost({ store: new MemoryEventStore(), clock: new SimulatedClock(), definitions: [JOB_MACHINE] });

let position = 0;
function jobEvent(jobId: string, minute: number, value: string, version = 1): RecordedEvent {
  position += 1;
  const context = { ...initialJobContext({ jobId, portal: 'p', payload: {}, businessKey: jobId, steps: [] }), createdAt: `2026-01-01T00:0${minute}:00.000Z` };
  return { stream: `job-${jobId}`, version, position, type: 'T', data: {}, stateAfter: { value, context, status: 'active', effects: {}, timers: {} }, meta: { at: '' }, hash: 'h', prevHash: 'p' };
}

async function api(h: ActorHost) {
  const index = new JobIndexProjection({ feed: h.feed, index: new MemoryJobIndex() });
  await index.start();
  return new JobsApi({ host: h, intake: {} as JobIntake, scheduler: {} as JobScheduler, store: new MemoryEventStore(), clock: new SimulatedClock(), index });
}

const ids = (page: { jobs: Array<{ jobId: string }> }) => page.jobs.map((j) => j.jobId);

describe('JobsApi.list paging', () => {
  it('continues after the cursor even when the cursor job no longer matches the filter', async () => {
    const h = host();
    ['a', 'b', 'c'].forEach((id, i) => h.feed.apply(jobEvent(id, i + 1, 'pending')));
    const jobs = await api(h);
    const first = await jobs.list({ states: ['pending'], limit: 1 });
    expect(ids(first)).toEqual(['a']);
    const second = await jobs.list({ states: ['pending'], limit: 1, cursor: first.next! });
    expect(ids(second)).toEqual(['b']);
    h.feed.apply(jobEvent('b', 2, 'submitted', 2));
    const third = await jobs.list({ states: ['pending'], limit: 1, cursor: second.next! });
    expect(ids(third)).toEqual(['c']);
    expect(third.next).toBeNull();
  });

  it('answers an empty last page after the last job, and refuses a malformed or altered cursor with VALIDATION_FAILED naming it', async () => {
    const h = host();
    h.feed.apply(jobEvent('a', 1, 'pending'));
    h.feed.apply(jobEvent('b', 2, 'pending'));
    const jobs = await api(h);
    const first = await jobs.list({ limit: 1 });
    expect(ids(first)).toEqual(['a']);
    const second = await jobs.list({ limit: 1, cursor: first.next! });
    expect([ids(second), second.next]).toEqual([['b'], null]);
    expect(await jobs.list({ limit: 5, cursor: encodeJobCursor({ createdAt: '2026-01-01T00:02:00.000Z', jobId: 'b' }) })).toEqual({ jobs: [], next: null });
    const altered = `${first.next!.slice(0, -1)}${first.next!.endsWith('A') ? 'B' : 'A'}`;
    for (const cursor of ['nope', 'a', altered, Buffer.from('["x","a"]').toString('base64url'), Buffer.from('{"a":1}').toString('base64url')]) {
      await expect(jobs.list({ limit: 5, cursor })).rejects.toMatchObject({ code: 'VALIDATION_FAILED', fields: { cursor: expect.any(String) } });
    }
  });
});
