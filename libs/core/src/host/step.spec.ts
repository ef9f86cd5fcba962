// The step reuses one inert actor per machine instead of XState's throwaway one per call: it must
// decide exactly what XState's own pure functions decide, step after step and stream after stream.
import { initialTransition, transition, type AnyMachineSnapshot } from 'xstate';
import { HEARTBEAT_MACHINE, type HeartbeatEvent, type HeartbeatInput } from '../testing';
import { jsonNormalize } from './actor-state';
import { stepEvent, stepStart } from './step';

const input = (target: string): HeartbeatInput => ({ target, intervalMs: 1_000, retryMs: 100, maxMisses: 2 });
const at = 1_767_225_600_000;
const machinePartOf = (snapshot: AnyMachineSnapshot) => jsonNormalize({ value: snapshot.value, context: snapshot.context, status: snapshot.status, output: snapshot.output });

describe('step', () => {
  it('decides what XState transition() decides, for two streams stepped in turn', () => {
    const events: HeartbeatEvent[] = [
      { type: 'PROBE_OK', at: '2026-01-01T00:00:00.000Z', elapsedMs: 3 },
      { type: 'TIMER.next' },
      { type: 'PROBE_FAILED', at: '2026-01-01T00:00:01.000Z', reason: 'timeout' },
      { type: 'TIMER.next' },
      { type: 'PROBE_FAILED', at: '2026-01-01T00:00:02.000Z', reason: 'refused' },
    ];
    const streams = ['heartbeat-a', 'heartbeat-b'].map((stream) => {
      const [expected, expectedActions] = initialTransition(HEARTBEAT_MACHINE.machine, input(stream));
      const started = stepStart(HEARTBEAT_MACHINE, stream, input(stream), { at });
      expect(machinePartOf(started.snapshot)).toEqual(machinePartOf(expected));
      expect(started.effects.map((e) => e.type)).toEqual(expectedActions.map((a) => a.type));
      return { stream, version: 1, state: started.state, snapshot: started.snapshot, expected };
    });
    for (const event of events) {
      for (const s of streams) {
        const [expected, expectedActions] = transition(HEARTBEAT_MACHINE.machine, s.expected, event);
        const step = stepEvent(HEARTBEAT_MACHINE, s.stream, s.version, s.state, s.snapshot, event, { at });
        expect(machinePartOf(step.snapshot)).toEqual(machinePartOf(expected));
        const decided = [...step.effects.map((e) => e.type), ...step.timersArmed.map(() => 'scheduleTimer')];
        expect(decided.sort()).toEqual(expectedActions.map((a) => a.type).sort());
        Object.assign(s, { version: s.version + step.records.length, state: step.state, snapshot: step.snapshot, expected });
      }
    }
    expect(streams.map((s) => s.state.value)).toEqual(['dead', 'dead']);
    expect(streams.map((s) => (s.state.context as { target: string }).target)).toEqual(['heartbeat-a', 'heartbeat-b']);
  });
});
