// Specification of exactly-once submission: the commit point `submit.started`, an error after
// the click (reconcile, then failed_post_submission with evidence), a crash during the click
// (in_doubt, then reconcile), and what each portal search outcome leads to.
import { machineSpec } from '@engine/core/testing';
import { ev, jobInput, STEPS, toSubmitting } from './job.fixtures';
import { JOB_MACHINE } from './job.machine';
import { retryIsSafe } from './job.queries';

const spec = machineSpec(JOB_MACHINE);
const closeClone = (attempt: number) => ({ type: 'closeClone', params: { jobId: 'j1', attempt } });
const findSubmission = { type: 'findSubmission', params: { portal: 'sim', businessKey: 'BK-1' } };

describe('job machine: submission exactly once', () => {
  it('the event that enters submitting is the commit point: it records submit.started and carries the click as its effect', () => {
    const lastStep = spec.given(jobInput, [ev.start(), ev.cloned(), ev.valid(), ...STEPS.slice(0, -1).map(ev.filled)]).when(ev.filled('confirm'));
    expect(lastStep.value).toBe('submitting');
    expect(lastStep.recorded).toEqual(['STEP_FILLED']);
    expect(lastStep.context).toMatchObject({ submitsStarted: 1, submitStartedAt: '2026-01-01T00:00:30.000Z', stage: 'submitting' });
    expect(lastStep.effects).toEqual([{ type: 'submitForm', params: { jobId: 'j1', portal: 'sim', attempt: 1, businessKey: 'BK-1' } }]);
    // The host appends this state before it runs any effect: the pending click is part of the durable fact.
    expect(Object.values(lastStep.state.effects)).toContainEqual({ type: 'submitForm', params: { jobId: 'j1', portal: 'sim', attempt: 1, businessKey: 'BK-1' } });
  });

  it('refuses CANCEL once submit.started is recorded, and while the submission is being settled', () => {
    expect(spec.given(jobInput, toSubmitting()).when(ev.cancel()).accepted).toBe(false);
    expect(spec.given(jobInput, [...toSubmitting(), ev.submitInterrupted()]).when(ev.cancel()).accepted).toBe(false);
    expect(spec.given(jobInput, [...toSubmitting(), ev.submitFailed()]).when(ev.cancel()).accepted).toBe(false);
    expect(spec.given(jobInput, [...toSubmitting(), ev.submitFailed(), ev.notFound()]).when(ev.cancel()).accepted).toBe(false);
    expect(spec.given(jobInput, [...toSubmitting(), ev.submitted()]).when(ev.cancel()).accepted).toBe(false);
  });

  describe('an error after the click reconciles first', () => {
    const afterError = [...toSubmitting(), ev.submitFailed('art-err')];

    it('searches the portal by business key and keeps the clone open for evidence', () => {
      const then = spec.given(jobInput, toSubmitting()).when(ev.submitFailed('art-err'));
      expect(then.value).toBe('reconciling');
      expect(then.effects).toEqual([findSubmission]);
      expect(then.context.failures).toEqual([
        { failureType: 'post_submission', stage: 'submitting', step: null, attempt: 1, code: 'HTTP_502', artifactRef: 'art-err', at: '2026-01-01T00:00:30.000Z' },
      ]);
    });

    it('a submitForm that threw reconciles the same way', () => {
      const then = spec.given(jobInput, toSubmitting()).when(ev.effectFailed('submitForm', 'TARGET_CLOSED'));
      expect(then.value).toBe('reconciling');
      expect(then.context.failures[0]).toMatchObject({ failureType: 'post_submission', code: 'TARGET_CLOSED', artifactRef: null });
    });

    it('found: submitted with the portal reference', () => {
      const then = spec.given(jobInput, afterError).when(ev.found('REF-9'));
      expect(then.value).toBe('submitted');
      expect(then.state.output).toMatchObject({ reference: 'REF-9' });
      expect(then.context.lookup).toBe('found');
      expect(then.effects).toEqual([closeClone(1)]);
    });

    it('not found: screenshots the page before closing the clone, then failed_post_submission, final', () => {
      const capture = spec.given(jobInput, afterError).when(ev.notFound());
      expect(capture.value).toBe('capturing_artifact');
      expect(capture.effects).toEqual([{ type: 'captureArtifact', params: { jobId: 'j1', attempt: 1, kind: 'screenshot', stage: 'submitting' } }]);

      const then = spec.given(jobInput, [...afterError, ev.notFound()]).when(ev.captured('art-shot'));
      expect(then.value).toBe('failed_post_submission');
      expect(then.status).toBe('done');
      expect(then.effects).toEqual([closeClone(1)]);
      expect(then.context.failures).toEqual([expect.objectContaining({ failureType: 'post_submission', artifactRef: 'art-err' })]);
      expect(then.context.artifacts).toEqual(['art-err', 'art-shot']);
      expect(then.state.timers).toEqual({});
    });

    it('not found after an error that brought no artifact: the screenshot becomes the failure artifact', () => {
      const given = [...toSubmitting(), ev.effectFailed('submitForm'), ev.notFound()];
      const then = spec.given(jobInput, given).when(ev.captured('art-shot'));
      expect(then.context.failures[0].artifactRef).toBe('art-shot');
    });

    it('not found and the screenshot failed: still failed_post_submission', () => {
      const then = spec.given(jobInput, [...afterError, ev.notFound()]).when(ev.effectFailed('captureArtifact'));
      expect(then.value).toBe('failed_post_submission');
      expect(then.effects).toEqual([closeClone(1)]);
    });

    it('lookup impossible: needs_review, not safe to retry', () => {
      const then = spec.given(jobInput, afterError).when(ev.lookupFailed());
      expect(then.value).toBe('needs_review');
      expect(then.context.lookup).toBe('impossible');
      expect(then.context.failures.at(-1)).toMatchObject({ failureType: 'lookup_failed', stage: 'reconciling', code: 'SEARCH_DOWN' });
      expect(then.effects).toEqual([closeClone(1)]);
      expect(retryIsSafe(then.state)).toBe(false);
    });

    it('a findSubmission that threw counts as lookup impossible', () => {
      expect(spec.given(jobInput, afterError).when(ev.effectFailed('findSubmission')).value).toBe('needs_review');
    });

    it('failed_post_submission is never retried: no timer, no transition out', () => {
      const final = spec.given(jobInput, [...afterError, ev.notFound(), ev.captured()]);
      expect(final.now.state.timers).toEqual({});
      expect(final.when(ev.start()).accepted).toBe(false);
      expect(final.when(ev.retryTimer()).value).toBe('failed_post_submission');
      expect(retryIsSafe(final.now.state)).toBe(false);
    });
  });

  describe('a crash during the click (SUBMIT_INTERRUPTED)', () => {
    const inDoubt = [...toSubmitting(), ev.submitInterrupted()];
    const reconciling = [...inDoubt, ev.reconcileTimer()];

    it('becomes in_doubt, durably, and schedules reconciliation on a durable timer', () => {
      const then = spec.given(jobInput, toSubmitting()).when(ev.submitInterrupted());
      expect(then.value).toBe('in_doubt');
      expect(then.effects).toEqual([]);
      expect(then.timersArmed).toEqual([{ name: 'reconcile', delayMs: 0 }]);
      expect(then.context.failures).toEqual([expect.objectContaining({ failureType: 'interrupted', stage: 'submitting', attempt: 1 })]);
    });

    it('waits the configured delay before searching', () => {
      const then = spec.given({ ...jobInput, reconcileDelayMs: 30_000 }, toSubmitting()).when(ev.submitInterrupted());
      expect(then.timersArmed).toEqual([{ name: 'reconcile', delayMs: 30_000 }]);
    });

    it('reconciles by searching, never by submitting again', () => {
      const then = spec.given(jobInput, inDoubt).when(ev.reconcileTimer());
      expect(then.value).toBe('reconciling');
      expect(then.effects).toEqual([findSubmission]);
    });

    it('found: submitted with the portal reference', () => {
      const then = spec.given(jobInput, reconciling).when(ev.found('REF-7'));
      expect(then.value).toBe('submitted');
      expect(then.state.output).toMatchObject({ reference: 'REF-7' });
      expect(then.effects).toEqual([closeClone(1)]);
    });

    it('not found: back to pending for a fresh attempt (the interrupted one counts)', () => {
      const then = spec.given(jobInput, reconciling).when(ev.notFound());
      expect(then.value).toBe('pending');
      expect(then.context).toMatchObject({ attempt: 1, lookup: 'not_found' });
      expect(then.effects).toEqual([closeClone(1)]);
      const again = spec.given(jobInput, [...reconciling, ev.notFound()]).when(ev.start());
      expect(again.context.attempt).toBe(2);
    });

    it('not found on the last attempt: failed, and safe to retry since the portal holds nothing', () => {
      const crashedSubmit = [...toSubmitting(), ev.submitInterrupted(), ev.reconcileTimer(), ev.notFound()];
      const then = spec.given(jobInput, [...crashedSubmit, ...crashedSubmit, ...toSubmitting(), ev.submitInterrupted(), ev.reconcileTimer()]).when(ev.notFound());
      expect(then.value).toBe('failed');
      expect(then.context.submitsStarted).toBe(3);
      expect(retryIsSafe(then.state)).toBe(true);
    });

    it('lookup impossible: needs_review', () => {
      const then = spec.given(jobInput, reconciling).when(ev.lookupFailed());
      expect(then.value).toBe('needs_review');
      expect(then.effects).toEqual([closeClone(1)]);
    });
  });

  it('a SUBMITTED that arrives while reconciling is not taken: only the search settles it', () => {
    const then = spec.given(jobInput, [...toSubmitting(), ev.submitFailed()]).when(ev.submitted('LATE'));
    expect(then.value).toBe('reconciling');
    expect(then.context.reference).toBeNull();
  });
});
