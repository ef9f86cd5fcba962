// Machine version 2 against logs version 1 wrote: machines/master-session/fixtures holds a
// real version-1 log (written by the version-1 definition: captchas answered and refused,
// recoveries, critical and an operator reset, and a session left waiting on a captcha that
// nobody answered). Every stream replays to the stored states, and the wedged one gets out.
import { replayStream, resolveSnapshot, stepEvent, type RecordedEvent } from '@engine/core';
import type { MasterSessionEvent } from './master-session.events';
import { MASTER_SESSION_MACHINE } from './master-session.machine';
import recordedLog from './fixtures/master-session-v1.log.json';

// One recorded event per line, as the version-1 definition wrote them (a JSON import: machines/ reads no files).
const log = recordedLog as unknown as RecordedEvent[];
const streams = [...new Set(log.map((e) => e.stream))];
const eventsOf = (stream: string) => log.filter((e) => e.stream === stream);

describe('master session version 2 on a version-1 log', () => {
  it('the fixture is a version-1 log of three streams', () => {
    expect(MASTER_SESSION_MACHINE.version).toBe('2');
    expect(streams).toEqual(['master-portal-a', 'master-portal-b', 'master-portal-c']);
    expect(new Set(log.map((e) => e.meta.machineVersion))).toEqual(new Set(['1']));
    expect(log.map((e) => e.type)).toEqual(expect.arrayContaining(['CAPTCHA_REQUIRED', 'CAPTCHA_ANSWERED', 'RESET', 'ALERT_SENT', 'TIMER.retry']));
  });

  it.each(streams)('%s replays to every stored state', (stream) => {
    const events = eventsOf(stream);
    const steps = replayStream(MASTER_SESSION_MACHINE, events);
    expect(steps.map((s) => s.version)).toEqual(events.map((e) => e.version));
  });

  it('a version-1 session waiting on a captcha without a deadline leaves it when the login is withdrawn', () => {
    const events = eventsOf('master-portal-c');
    const last = events[events.length - 1];
    const state = replayStream(MASTER_SESSION_MACHINE, events).pop()!.state;
    expect(state.value).toBe('awaitingCaptcha');
    expect(state.timers).toEqual({});
    const withdrawn: MasterSessionEvent = { type: 'CAPTCHA_WITHDRAWN', challengeId: 'ch-9', reason: 'process_restarted' };
    const snapshot = resolveSnapshot(MASTER_SESSION_MACHINE, state);
    const next = stepEvent(MASTER_SESSION_MACHINE, last.stream, last.version, state, snapshot, withdrawn, { at: Date.parse(last.meta.at) + 1_000 });
    expect(next.state.value).toBe('loggingIn');
    expect(next.effects.map((e) => e.type)).toEqual(['login']);
  });
});
