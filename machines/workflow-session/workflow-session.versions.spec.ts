// Workflow-session version 2 against a log version 1 wrote: machines/workflow-session/fixtures
// holds a version-1 log (written by the version-1 definition: uploads, a touch, a reset, a
// re-open after a restart, a delete and an idle close). Every stream replays to the stored
// states, and the active one takes a download recorded with its kind.
import { replayStream, resolveSnapshot, stepEvent, type RecordedEvent } from '@engine/core';
import type { WorkflowSessionEvent } from './workflow-session.events';
import { WORKFLOW_SESSION_MACHINE } from './workflow-session.machine';
import recordedLog from './fixtures/workflow-session-v1.log.json';

// One recorded event per line, as the version-1 definition wrote them (a JSON import: machines/ reads no files).
const log = recordedLog as unknown as RecordedEvent[];
const streams = [...new Set(log.map((e) => e.stream))];
const eventsOf = (stream: string) => log.filter((e) => e.stream === stream);

describe('workflow session version 2 on a version-1 log', () => {
  it('the fixture is a version-1 log covering uploads, reset, re-open, delete and idle close', () => {
    expect(WORKFLOW_SESSION_MACHINE.version).toBe('2');
    expect(new Set(log.map((e) => e.meta.machineVersion))).toEqual(new Set(['1']));
    expect(log.map((e) => e.type)).toEqual(expect.arrayContaining(['RECORD_UPLOAD', 'TOUCH', 'RESET', 'CONTEXT_RESET', 'REOPEN', 'DELETE', 'TIMER.idle', 'CONTEXT_CLOSED']));
  });

  it.each(streams)('%s replays to every stored state', (stream) => {
    const events = eventsOf(stream);
    expect(replayStream(WORKFLOW_SESSION_MACHINE, events).map((s) => s.version)).toEqual(events.map((e) => e.version));
  });

  it('a version-1 workflow keeps its uploads (no kind) and records a download with its kind', () => {
    const events = eventsOf('workflow-w-active');
    const last = events[events.length - 1];
    const state = replayStream(WORKFLOW_SESSION_MACHINE, events).pop()!.state;
    const download: WorkflowSessionEvent = { type: 'RECORD_UPLOAD', name: 'report.csv', size: 4, kind: 'download', at: '2026-01-01T00:01:00.000Z' };
    const next = stepEvent(WORKFLOW_SESSION_MACHINE, last.stream, last.version, state, resolveSnapshot(WORKFLOW_SESSION_MACHINE, state), download, { at: Date.parse(last.meta.at) + 1_000 });
    expect(next.state.context).toMatchObject({
      files: [
        { name: 'scan 01.pdf', size: 11, uploadedAt: '2026-01-01T00:00:10.000Z' },
        { name: 'b.txt', size: 3, uploadedAt: '2026-01-01T00:00:30.000Z' },
        { name: 'report.csv', size: 4, kind: 'download' },
      ],
    });
    expect(Object.keys((next.state.context as { files: object[] }).files[0])).not.toContain('kind');
  });
});
