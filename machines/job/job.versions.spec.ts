// Job machine version 2 against a log version 1 wrote: machines/job/fixtures holds a real
// version-1 log (written by the version-1 definition: submissions, login-form and other retries,
// reconciliations found, not found and impossible, a cancel, a job left waiting after the login
// form). Every stream replays to the stored states; the waiting one takes SESSION_READY.
import { replayStream, resolveSnapshot, stepEvent, type RecordedEvent } from '@engine/core';
import type { JobEvent } from './job.events';
import { JOB_MACHINE } from './job.machine';
import recordedLog from './fixtures/job-v1.log.json';

// One recorded event per line, as the version-1 definition wrote them (a JSON import: machines/ reads no files).
const log = recordedLog as unknown as RecordedEvent[];
const streams = [...new Set(log.map((e) => e.stream))];
const eventsOf = (stream: string) => log.filter((e) => e.stream === stream);

describe('job version 2 on a version-1 log', () => {
  it('the fixture is a version-1 log covering every way a job ends', () => {
    expect(JOB_MACHINE.version).toBe('2');
    expect(new Set(log.map((e) => e.meta.machineVersion))).toEqual(new Set(['1']));
    const ends = streams.map((s) => (eventsOf(s).pop()!.stateAfter as { value: string }).value);
    expect(new Set(ends)).toEqual(new Set(['submitted', 'failed', 'needs_review', 'failed_post_submission', 'cancelled', 'failed_login_form']));
    expect(log.map((e) => e.type)).toEqual(expect.arrayContaining(['LOGIN_FORM_SEEN', 'TIMER.retry', 'LOOKUP_FAILED', 'SUBMIT_INTERRUPTED', 'TIMER.reconcile', 'CANCEL']));
  });

  it.each(streams)('%s replays to every stored state', (stream) => {
    const events = eventsOf(stream);
    expect(replayStream(JOB_MACHINE, events).map((s) => s.version)).toEqual(events.map((e) => e.version));
  });

  it('a version-1 job waiting after the login form takes SESSION_READY and is runnable at once', () => {
    const events = eventsOf('job-waiting-login');
    const last = events[events.length - 1];
    const state = replayStream(JOB_MACHINE, events).pop()!.state;
    expect(state.value).toBe('failed_login_form');
    const ready: JobEvent = { type: 'SESSION_READY', at: '2026-01-01T00:05:00.000Z' };
    const next = stepEvent(JOB_MACHINE, last.stream, last.version, state, resolveSnapshot(JOB_MACHINE, state), ready, { at: Date.parse(last.meta.at) + 1_000 });
    expect(next.state.value).toBe('pending');
    expect(next.timersCancelled.map((t) => t.name)).toEqual(['retry']);
  });
});
