// The audit facade's time travel on a long stream: the state at a version is recomputed from the
// latest snapshot at or before it (reading only the events after it), equal to a fold from version 1.
import { ActorHost, NotFoundError, SimulatedClock, silentLogger, stateAtVersion, type EffectRegistry } from '@engine/core';
import { HEARTBEAT_MACHINE } from '@engine/core/testing';
import { MemoryEventStore } from '@engine/event-store';
import { AuditApi } from './audit-api';

const input = { target: 'browser-1', intervalMs: 30_000, retryMs: 5_000, maxMisses: 2 };
const healthyProbe: EffectRegistry = { probeTarget: { run: async () => ({ type: 'PROBE_OK', at: 'now', elapsedMs: 5 }) } };

describe('AuditApi.stateAt', () => {
  it('replays from the latest snapshot at or before the version, to the same state as a full fold', async () => {
    const store = new MemoryEventStore();
    const clock = new SimulatedClock();
    const host = new ActorHost({ store, clock, definitions: [HEARTBEAT_MACHINE], effects: healthyProbe, snapshotEvery: 10 });
    await host.create('heartbeat', 'b1', input);
    await host.idle();
    for (let i = 0; i < 12; i++) {
      await clock.advance(30_000);
      await host.idle();
    }
    await host.stop();
    const audit = new AuditApi({ host, store, machines: [HEARTBEAT_MACHINE], artifacts: {} as never, logger: silentLogger });
    const all = await store.read('heartbeat-b1');
    expect(all).toHaveLength(39);

    const read = jest.spyOn(store, 'read');
    const at = await audit.stateAt('heartbeat-b1', 35);
    expect(read.mock.calls).toEqual([['heartbeat-b1', 30, 35]]);
    expect(at).toMatchObject({ stream: 'heartbeat-b1', version: 35, replayed: true });
    expect(at.state).toEqual(stateAtVersion(HEARTBEAT_MACHINE, all, 35));
    await expect(audit.stateAt('heartbeat-nope', 3)).rejects.toBeInstanceOf(NotFoundError);
  });
});
