// Test support: a job's log written straight into the store (the pure step folds the events, as
// the host would have recorded them), so a test can put a job in any state, final ones included,
// without running its attempts. The running engine's feed picks it up from the store.
import { stepEvent, stepStart, type NewEvent } from '@engine/core';
import type { Engine } from '@engine/engine';
import { JOB_MACHINE, type JobEvent, type JobInput } from '@engine/machines';
import { jobEv, jobInput, toSubmitting } from '@engine/machines/testing';
import { sampleProposal } from '@engine/portals';

/** The events that end a job in each state an operator acts on. */
export const JOB_ENDINGS = {
  failed: (): JobEvent[] => [jobEv.start(), jobEv.cloned(), jobEv.valid(), jobEv.rejected('applicant')],
  needsReview: (): JobEvent[] => [...toSubmitting(), jobEv.submitFailed(), jobEv.lookupFailed()],
  submitted: (): JobEvent[] => [...toSubmitting(), jobEv.submitted()],
};

/** Appends the log of job `jobId` of the portal simulator (a valid proposal payload) and waits until the feed has it. */
export async function appendJobHistory(engine: Engine, jobId: string, events: JobEvent[], input: Partial<JobInput> = {}): Promise<void> {
  const stream = `job-${jobId}`;
  const at = Date.UTC(2026, 0, 3);
  const full: JobInput = { ...jobInput, jobId, portal: 'portal-sim', payload: sampleProposal(Number.parseInt(jobId.replace(/\D/g, '') || '1', 10), jobId), businessKey: `BK-${jobId}`, ...input };
  let result = stepStart(JOB_MACHINE, stream, full, { at });
  const records: NewEvent[] = [...result.records];
  for (const [i, event] of events.entries()) {
    result = stepEvent(JOB_MACHINE, stream, records.length, result.state, result.snapshot, event, { at: at + (i + 1) * 1_000 });
    records.push(...result.records);
  }
  await engine.store.append(stream, records, { expectedVersion: 'no-stream' });
  await engine.feed.waitFor(stream, (entry) => entry !== undefined && entry.version === records.length, { timeoutMs: 10_000 });
}
