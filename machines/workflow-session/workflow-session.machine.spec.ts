// Specification of the workflow-session machine: given these events, when this event, then
// this state, these effects and these timers. No host, no browser, no sleeps.
import { machineSpec } from '@engine/core/testing';
import type { EngineEvent } from '@engine/core';
import { WORKFLOW_SESSION_MACHINE, workflowSessionInputProblems, type WorkflowSessionInput } from './workflow-session.machine';

const IDLE = 600_000;
const T0 = '2026-01-01T00:00:00.000Z';
const INPUT: WorkflowSessionInput = { sid: 'wf-1', idleMs: IDLE, at: T0 };
const spec = machineSpec(WORKFLOW_SESSION_MACHINE);

const iso = (secondsAfterT0: number) => new Date(Date.parse(T0) + secondsAfterT0 * 1000).toISOString();
const opened = (s = 2): EngineEvent => ({ type: 'CONTEXT_OPENED', at: iso(s) });
const touch = (s: number): EngineEvent => ({ type: 'TOUCH', at: iso(s) });
const upload = (name: string, size: number, s = 10): EngineEvent => ({ type: 'RECORD_UPLOAD', name, size, at: iso(s) });
const reset = (s = 20): EngineEvent => ({ type: 'RESET', at: iso(s) });
const del: EngineEvent = { type: 'DELETE', at: iso(30) };
const effectFailed = (effect: string): EngineEvent => ({ type: 'EFFECT_FAILED', effect, effectId: 'x', params: null, error: { code: 'BROWSER_LAUNCH_FAILED', message: 'm' } });

describe('workflow-session machine', () => {
  it('is created opening its own context, with its creation time as the last use', () => {
    const { now } = spec.given(INPUT);
    expect(now.value).toBe('opening');
    expect(now.effects).toEqual([{ type: 'openWorkflowContext', params: { sid: 'wf-1' } }]);
    expect(now.context).toMatchObject({ sid: 'wf-1', createdAt: T0, lastUsedAt: T0, files: [] });
    expect(now.recorded).toEqual(['actor.started']);
  });

  it('refuses a sid that could leave its folder, and a bad idle time', () => {
    for (const sid of ['../x', '..', 'a/b', '', 'x'.repeat(65), 'a\u0000b', '%2e%2e']) {
      expect(spec.given({ ...INPUT, sid }).now.status).toBe('error');
    }
    expect(workflowSessionInputProblems({ ...INPUT, sid: '../x', idleMs: 0 })).toEqual([
      'sid must match ^[A-Za-z0-9_-]{1,64}$',
      'idleMs must be a positive integer',
    ]);
  });

  it('once open, is active with the idle timer counting from the last use', () => {
    const then = spec.given(INPUT).when(opened(2));
    expect(then.value).toBe('active');
    // Opening took 2 s of the idle period.
    expect(then.timersArmed).toEqual([{ name: 'idle', delayMs: IDLE - 2_000 }]);
  });

  it('a touch records the use and re-arms the full idle period', () => {
    const then = spec.given(INPUT, [opened()]).when(touch(100));
    expect(then.value).toBe('active');
    expect(then.context.lastUsedAt).toBe(iso(100));
    expect(then.timersArmed).toEqual([{ name: 'idle', delayMs: IDLE }]);
    expect(then.recorded).toEqual(['TOUCH', 'timer.cancelled', 'timer.scheduled']);
  });

  it('records uploads by name and size; a second upload of a name replaces the first', () => {
    const then = spec.given(INPUT, [opened(), upload('a.pdf', 10, 10), upload('b.txt', 3, 11)]).when(upload('a.pdf', 99, 12));
    expect(then.context.files).toEqual([
      { name: 'a.pdf', size: 99, uploadedAt: iso(12) },
      { name: 'b.txt', size: 3, uploadedAt: iso(11) },
    ]);
    expect(then.context.lastUsedAt).toBe(iso(12));
    expect(then.timersArmed).toEqual([{ name: 'idle', delayMs: IDLE }]);
  });

  it('records downloads and screenshots with their kind; an upload records none, as version 1 did', () => {
    const download: EngineEvent = { type: 'RECORD_UPLOAD', name: 'report.csv', size: 5, kind: 'download', at: iso(11) };
    const shot: EngineEvent = { type: 'RECORD_UPLOAD', name: 'page.png', size: 7, kind: 'screenshot', at: iso(12) };
    const then = spec.given(INPUT, [opened(), upload('a.pdf', 1, 10), download]).when(shot);
    expect(then.context.files).toEqual([
      { name: 'a.pdf', size: 1, uploadedAt: iso(10) },
      { name: 'report.csv', size: 5, uploadedAt: iso(11), kind: 'download' },
      { name: 'page.png', size: 7, uploadedAt: iso(12), kind: 'screenshot' },
    ]);
    expect(spec.given(INPUT, [opened()]).when({ type: 'RECORD_UPLOAD', name: 'x', size: 1, kind: 'upload', at: iso(3) }).context.files).toEqual([{ name: 'x', size: 1, uploadedAt: iso(3) }]);
  });

  it('refuses a file kind it does not know', () => {
    expect(spec.given(INPUT, [opened()]).when({ type: 'RECORD_UPLOAD', name: 'x', size: 1, kind: 'stolen', at: iso(3) } as EngineEvent).accepted).toBe(false);
  });

  it('refuses to record a file name that is not a plain segment, or a bad size', () => {
    const given = spec.given(INPUT, [opened()]);
    for (const name of ['../x', '..', 'a/b', 'a\\b', 'a\u0000b', 'a\nb', '.hidden', '/etc/passwd', '']) {
      expect(given.when(upload(name, 1)).accepted).toBe(false);
    }
    expect(given.when(upload('ok.txt', -1)).accepted).toBe(false);
    expect(given.when(upload('ok.txt', 1.5)).accepted).toBe(false);
  });

  it('does not take uploads or resets before it is open', () => {
    expect(spec.given(INPUT).when(upload('a.pdf', 1)).accepted).toBe(false);
    expect(spec.given(INPUT).when(reset()).accepted).toBe(false);
    expect(spec.given(INPUT).when(touch(1)).accepted).toBe(false);
  });

  it('a reset counts as a use, stops the idle timer and asks for a fresh context and folder', () => {
    const then = spec.given(INPUT, [opened(), upload('a.pdf', 10)]).when(reset(20));
    expect(then.value).toBe('resetting');
    expect(then.context.lastUsedAt).toBe(iso(20));
    expect(then.timersCancelled).toEqual(['idle']);
    expect(then.effects).toEqual([{ type: 'resetWorkflowContext', params: { sid: 'wf-1' } }]);
  });

  it('after the reset the file list is empty and the idle timer runs again', () => {
    const then = spec.given(INPUT, [opened(), upload('a.pdf', 10), reset(20)]).when({ type: 'CONTEXT_RESET', at: iso(21) });
    expect(then.value).toBe('active');
    expect(then.context.files).toEqual([]);
    expect(then.timersArmed).toEqual([{ name: 'idle', delayMs: IDLE - 1_000 }]);
  });

  it('does not take uploads or a second reset while resetting', () => {
    const given = spec.given(INPUT, [opened(), reset()]);
    expect(given.when(upload('a.pdf', 1)).accepted).toBe(false);
    expect(given.when(reset()).accepted).toBe(false);
  });

  it('delete closes the context and removes the folder, then the stream is final without timers', () => {
    const closing = spec.given(INPUT, [opened()]).when(del);
    expect(closing.value).toBe('closing');
    expect(closing.timersCancelled).toEqual(['idle']);
    expect(closing.effects).toEqual([{ type: 'closeWorkflowContext', params: { sid: 'wf-1', reason: 'deleted' } }]);
    const closed = spec.given(INPUT, [opened(), del]).when({ type: 'CONTEXT_CLOSED' });
    expect(closed.value).toBe('closed');
    expect(closed.status).toBe('done');
    expect(closed.state.output).toEqual({ closeReason: 'deleted', lastFailure: null });
    expect(closed.state.timers).toEqual({});
  });

  it('can be deleted while opening or resetting', () => {
    expect(spec.given(INPUT).when(del).value).toBe('closing');
    expect(spec.given(INPUT, [opened(), reset()]).when(del).value).toBe('closing');
  });

  it('an unused workflow is closed when its idle timer fires', () => {
    const then = spec.given(INPUT, [opened()]).when({ type: 'TIMER.idle' });
    expect(then.value).toBe('closing');
    expect(then.effects).toEqual([{ type: 'closeWorkflowContext', params: { sid: 'wf-1', reason: 'idle' } }]);
  });

  it('a context lost to a restart is opened again, the files kept, the idle time still counted from the last use', () => {
    const lost: EngineEvent = { type: 'REOPEN', reason: 'engine_restarted', at: iso(300) };
    const reopening = spec.given(INPUT, [opened(), upload('a.pdf', 10, 100)]).when(lost);
    expect(reopening.value).toBe('opening');
    expect(reopening.timersCancelled).toEqual(['idle']);
    expect(reopening.effects).toEqual([{ type: 'openWorkflowContext', params: { sid: 'wf-1' } }]);
    expect(reopening.context).toMatchObject({ reopens: 1, lastReopenReason: 'engine_restarted', lastUsedAt: iso(100) });
    const active = spec.given(INPUT, [opened(), upload('a.pdf', 10, 100), lost]).when(opened(301));
    expect(active.context.files.map((f: { name: string }) => f.name)).toEqual(['a.pdf']);
    expect(active.timersArmed).toEqual([{ name: 'idle', delayMs: IDLE - 201_000 }]);
  });

  it('a workflow abandoned for longer than its idle time gets no new idle period after a restart', () => {
    const lost: EngineEvent = { type: 'REOPEN', reason: 'engine_restarted', at: iso(5_000) };
    const then = spec.given(INPUT, [opened(), lost]).when(opened(5_001));
    expect(then.timersArmed).toEqual([{ name: 'idle', delayMs: 0 }]);
  });

  it('a context that cannot be opened closes the workflow with the failure code', () => {
    const then = spec.given(INPUT).when(effectFailed('openWorkflowContext'));
    expect(then.value).toBe('closing');
    expect(then.context).toMatchObject({ closeReason: 'open_failed', lastFailure: 'BROWSER_LAUNCH_FAILED' });
  });

  it('a failed reset closes the workflow: its isolation can no longer be promised', () => {
    const then = spec.given(INPUT, [opened(), reset()]).when(effectFailed('resetWorkflowContext'));
    expect(then.value).toBe('closing');
    expect(then.effects).toEqual([{ type: 'closeWorkflowContext', params: { sid: 'wf-1', reason: 'reset_failed' } }]);
  });

  it('a close that throws still ends closed, with the failure kept', () => {
    const then = spec.given(INPUT, [opened(), del]).when(effectFailed('closeWorkflowContext'));
    expect(then.value).toBe('closed');
    expect(then.state.output).toEqual({ closeReason: 'deleted', lastFailure: 'BROWSER_LAUNCH_FAILED' });
  });

  it('a late idle timer or open outcome after the delete changes nothing', () => {
    const given = spec.given(INPUT, [del]);
    expect(given.when({ type: 'TIMER.idle' }).value).toBe('closing');
    expect(given.when(opened()).value).toBe('closing');
    expect(given.when(opened()).effects).toEqual([]);
  });
});
