// The recovery history is a projection of the recorded events: these specifications fold a
// stream through the same pure step the host uses, with a time on each event.
import { stepEvent, stepStart, type EngineEvent, type RecordedEvent, type StepResult } from '@engine/core';
import { INPUT, TO_READY, ev, softFailures } from './master-session.fixtures';
import { MASTER_SESSION_MACHINE } from './master-session.machine';
import { recoveriesPerHour, recoveryHistory } from './recovery-history';

const T0 = Date.UTC(2026, 0, 1);
const iso = (s: number) => new Date(T0 + s * 1_000).toISOString();

/** Records each [second, event] as a store would (version, position, meta.at from the second). */
function record(steps: [number, EngineEvent][]): RecordedEvent[] {
  const recorded: RecordedEvent[] = [];
  const push = (result: StepResult) =>
    result.records.forEach((r) => recorded.push({ ...r, stream: 'master-a', version: recorded.length + 1, position: recorded.length + 1, hash: '', prevHash: '' }));
  let result = stepStart(MASTER_SESSION_MACHINE, 'master-a', INPUT, { at: T0 });
  push(result);
  for (const [second, event] of steps) {
    result = stepEvent(MASTER_SESSION_MACHINE, 'master-a', recorded.length, result.state, result.snapshot, event, { at: T0 + second * 1_000 });
    push(result);
  }
  return recorded;
}

const at = (second: number, ...events: EngineEvent[]): [number, EngineEvent][] => events.map((e) => [second, e]);

describe('recovery history', () => {
  it('one row per attempt with level, try, start, end, duration, outcome and error code', () => {
    const events = record([
      ...at(2, ...TO_READY),
      ...at(100, ev.report()), // soft 1 starts
      ...at(103, ev.loginFailed('LOGIN_REJECTED')),
      ...at(118, ev.timer('retry')), // soft 2 starts
      ...at(120, ev.loggedIn(120)),
    ]);
    expect(recoveryHistory(events)).toEqual([
      { recovery: 1, level: 'soft', try: 1, startedAt: iso(100), endedAt: iso(103), durationMs: 3_000, outcome: 'failed', errorCode: 'LOGIN_REJECTED' },
      { recovery: 1, level: 'soft', try: 2, startedAt: iso(118), endedAt: iso(120), durationMs: 2_000, outcome: 'succeeded', errorCode: null },
    ]);
  });

  it('shows an escalation in one event as the end of one attempt and the start of the next', () => {
    const ladder = softFailures(3).map((e, i): [number, EngineEvent] => [100 + i * 10, e]);
    const events = record([...at(2, ...TO_READY), ...at(100, ev.report()), ...ladder, ...at(200, ev.effectFailed('closeBrowser'))]);
    const rows = recoveryHistory(events);
    expect(rows.map((r) => `${r.level}${r.try}:${r.outcome}`)).toEqual(['soft1:failed', 'soft2:failed', 'soft3:failed', 'hard1:running']);
    expect(rows[2].endedAt).toBe(iso(140));
    expect(rows[3]).toMatchObject({ startedAt: iso(140), endedAt: null, durationMs: null });
  });

  it('keeps the rows of earlier recoveries when the next one starts', () => {
    const events = record([
      ...at(2, ...TO_READY),
      ...at(100, ev.report(), ev.loggedIn(101)),
      ...at(500, ev.report('job-2', 500), ev.loggedIn(502)),
    ]);
    expect(recoveryHistory(events).map((r) => [r.recovery, r.outcome])).toEqual([
      [1, 'succeeded'],
      [2, 'succeeded'],
    ]);
  });

  it('counts the recoveries that started within the last hour', () => {
    const events = record([
      ...at(2, ...TO_READY),
      ...at(100, ev.report(), ev.loginFailed()),
      ...at(120, ev.timer('retry'), ev.loggedIn(121)),
      ...at(3_000, ev.report('job-2', 3_000), ev.loggedIn(3_001)),
    ]);
    const history = recoveryHistory(events);
    expect(recoveriesPerHour(history, T0 + 3_650_000)).toBe(2);
    expect(recoveriesPerHour(history, T0 + 4_000_000)).toBe(1); // the first started 3,900 s earlier
    expect(recoveriesPerHour(history, T0 + 50_000)).toBe(0);
  });

  it('is empty for a session that never recovered', () => {
    expect(recoveryHistory(record(at(2, ...TO_READY)))).toEqual([]);
  });
});
