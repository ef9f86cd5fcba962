// Test support: the recorded events of a master session that logged in, lost its session,
// failed one soft re-login and succeeded with the second: a nested statechart and a recovery
// history for the inspector to show. Built with the host's own pure step, as the host would.
import { stepEvent, stepStart, type EngineEvent, type NewEvent, type StepResult } from '@engine/core';
import { MASTER_INPUT as INPUT, TO_READY, masterEv as ev } from '@engine/machines/testing';
import { MASTER_SESSION_MACHINE } from '@engine/machines';

export function masterSessionWithRecovery(stream: string, t0 = Date.UTC(2026, 0, 1)): NewEvent[] {
  const records: NewEvent[] = [];
  let result: StepResult = stepStart(MASTER_SESSION_MACHINE, stream, INPUT, { at: t0 });
  records.push(...result.records);
  const steps: [number, EngineEvent][] = [
    ...TO_READY.map((e): [number, EngineEvent] => [2, e]),
    [100, ev.report()],
    [103, ev.loginFailed('LOGIN_REJECTED')],
    [118, ev.timer('retry')],
    [120, ev.loggedIn(120)],
  ];
  for (const [second, event] of steps) {
    result = stepEvent(MASTER_SESSION_MACHINE, stream, records.length, result.state, result.snapshot, event, { at: t0 + second * 1_000 });
    records.push(...result.records);
  }
  return records;
}
