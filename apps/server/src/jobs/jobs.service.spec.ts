// Paging the job list: a page starts after the cursor's place in the oldest-first order, even
// when the cursor job has left the filter since (its state changed); an unknown cursor is a 400.
import type { Engine, IndexedStream } from '@engine/engine';
import { JobsService } from './jobs.service';

function entry(jobId: string, minute: number, state: string): IndexedStream {
  const context = { jobId, portal: 'p', externalId: null, businessKey: jobId, stage: state, attempt: 0, maxAttempts: 3, failures: [], reference: null, artifacts: [], createdAt: `2026-01-01T00:0${minute}:00.000Z` };
  return { stream: `job-${jobId}`, version: 1, position: minute, state: { value: state, context, status: 'active' }, updatedAt: '' } as unknown as IndexedStream;
}

function service(entries: Map<string, IndexedStream>) {
  const engine = { index: { all: () => entries.values(), get: (stream: string) => entries.get(stream) } } as unknown as Engine;
  return new JobsService(engine);
}

const ids = (page: { jobs: Array<{ jobId: string }> }) => page.jobs.map((j) => j.jobId);

describe('JobsService.list paging', () => {
  it('continues after the cursor even when the cursor job no longer matches the filter', () => {
    const entries = new Map(['a', 'b', 'c'].map((id, i) => [`job-${id}`, entry(id, i + 1, 'pending')]));
    const jobs = service(entries);
    const first = jobs.list({ status: 'pending', limit: 1 });
    expect(ids(first)).toEqual(['a']);
    const second = jobs.list({ status: 'pending', limit: 1, cursor: first.next! });
    expect(ids(second)).toEqual(['b']);
    entries.set('job-b', entry('b', 2, 'submitted'));
    const third = jobs.list({ status: 'pending', limit: 1, cursor: second.next! });
    expect(ids(third)).toEqual(['c']);
    expect(third.next).toBeNull();
  });

  it('answers an empty last page after the last job, and refuses an unknown cursor with VALIDATION_FAILED naming it', () => {
    const jobs = service(new Map([['job-a', entry('a', 1, 'pending')]]));
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
