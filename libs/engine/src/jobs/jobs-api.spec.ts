// Paging the job list: a page starts after the cursor's place in the oldest-first order, even
// when the cursor job has left the filter since (its state changed); an unknown cursor is a 400.
// Jobs are real job-machine states written into a real read feed.
import { ActorHost, SimulatedClock, type RecordedEvent } from '@engine/core';
import { MemoryEventStore } from '@engine/event-store';
import { initialJobContext, JOB_MACHINE } from '@engine/machines';
import type { JobIntake } from './job-intake';
import type { JobScheduler } from './job-scheduler';
import { JobsApi } from './jobs-api';

const host = () => new ActorHost({ store: new MemoryEventStore(), clock: new SimulatedClock(), definitions: [JOB_MACHINE] });

let position = 0;
function jobEvent(jobId: string, minute: number, value: string, version = 1): RecordedEvent {
  position += 1;
  const context = { ...initialJobContext({ jobId, portal: 'p', payload: {}, businessKey: jobId, steps: [] }), createdAt: `2026-01-01T00:0${minute}:00.000Z` };
  return { stream: `job-${jobId}`, version, position, type: 'T', data: {}, stateAfter: { value, context, status: 'active', effects: {}, timers: {} }, meta: { at: '' }, hash: 'h', prevHash: 'p' };
}

function api(h: ActorHost) {
  return new JobsApi({ host: h, intake: {} as JobIntake, scheduler: {} as JobScheduler, store: new MemoryEventStore(), clock: new SimulatedClock() });
}

const ids = (page: { jobs: Array<{ jobId: string }> }) => page.jobs.map((j) => j.jobId);

describe('JobsApi.list paging', () => {
  it('continues after the cursor even when the cursor job no longer matches the filter', () => {
    const h = host();
    ['a', 'b', 'c'].forEach((id, i) => h.feed.apply(jobEvent(id, i + 1, 'pending')));
    const jobs = api(h);
    const first = jobs.list({ status: 'pending', limit: 1 });
    expect(ids(first)).toEqual(['a']);
    const second = jobs.list({ status: 'pending', limit: 1, cursor: first.next! });
    expect(ids(second)).toEqual(['b']);
    h.feed.apply(jobEvent('b', 2, 'submitted', 2));
    const third = jobs.list({ status: 'pending', limit: 1, cursor: second.next! });
    expect(ids(third)).toEqual(['c']);
    expect(third.next).toBeNull();
  });

  it('answers an empty last page after the last job, and refuses an unknown cursor with VALIDATION_FAILED naming it', () => {
    const h = host();
    h.feed.apply(jobEvent('a', 1, 'pending'));
    const jobs = api(h);
    expect(jobs.list({ limit: 5, cursor: 'a' })).toEqual({ jobs: [], next: null });
    let error: unknown;
    try {
      jobs.list({ limit: 5, cursor: 'nope' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toMatchObject({ code: 'VALIDATION_FAILED', fields: { cursor: expect.any(String) } });
  });
});
