// Specifications of stream snapshots: the host keeps one each time an append takes a stream past
// a multiple of snapshotEvery, and a replay starts from the latest usable one — never from one
// written by another machine version or no longer tied to the chain.
import { HEARTBEAT_MACHINE } from '@engine/core/testing';
import { MemoryEventStore } from '@engine/event-store';
import { EngineError, MemoryLogger, SimulatedClock, ValidationError, type StreamSnapshot } from '@engine/core';
import { ActorHost } from './actor-host';
import type { EffectRegistry } from './effects';
import { replayStream, stateAtVersion } from './replay';
import { readForReplay } from './snapshot-replay';

const input = { target: 'browser-1', intervalMs: 30_000, retryMs: 5_000, maxMisses: 2 };
const STREAM = 'heartbeat-b1';
const healthyProbe: EffectRegistry = { probeTarget: { run: async () => ({ type: 'PROBE_OK', at: 'now', elapsedMs: 5 }) } };

/** Runs a healthy heartbeat through `cycles` probe cycles (3 events each, appended as 1 + 2). */
async function heartbeat(store: MemoryEventStore, clock: SimulatedClock, cycles: number, snapshotEvery?: number, logger = new MemoryLogger()) {
  const host = new ActorHost({ store, clock, definitions: [HEARTBEAT_MACHINE], effects: healthyProbe, snapshotEvery, logger });
  await host.create('heartbeat', 'b1', input);
  await host.idle();
  for (let i = 0; i < cycles; i++) {
    await clock.advance(30_000);
    await host.idle();
  }
  await host.stop();
  return { host, logger };
}

/** Every snapshot the memory store holds for the stream, oldest first. */
function snapshotsOf(store: MemoryEventStore): StreamSnapshot[] {
  return (store.log.snapshots.get(STREAM) ?? []).map((s) => ({ ...s, state: JSON.parse(s.state) as unknown }));
}

describe('stream snapshots', () => {
  let store: MemoryEventStore;
  let clock: SimulatedClock;

  beforeEach(() => {
    store = new MemoryEventStore();
    clock = new SimulatedClock();
  });

  it('are taken at the end of each append that passes a multiple of snapshotEvery, with the state, hash and machine of that version', async () => {
    await heartbeat(store, clock, 8, 5);
    const events = await store.read(STREAM);
    // Appends end at 1, 3, 4, 6, 7, 9, 10, 12, ...: the ones passing 5, 10, 15, 20, 25 end at 6, 10, 15, 21, 25.
    expect(events).toHaveLength(27);
    const snapshots = snapshotsOf(store);
    expect(snapshots.map((s) => s.version)).toEqual([6, 10, 15, 21, 25]);
    for (const snapshot of snapshots) {
      const event = events[snapshot.version - 1];
      expect(snapshot).toEqual({
        stream: STREAM,
        version: event.version,
        hash: event.hash,
        machineId: 'heartbeat',
        machineVersion: HEARTBEAT_MACHINE.version,
        state: event.stateAfter,
        takenAt: expect.any(String),
      });
    }
  });

  it('are not taken with snapshotEvery 0, and a negative or fractional interval is refused', async () => {
    await heartbeat(store, clock, 8, 0);
    expect(await store.latestSnapshot(STREAM)).toBeUndefined();
    for (const bad of [-1, 2.5, Number.NaN]) {
      expect(() => new ActorHost({ store, clock, definitions: [HEARTBEAT_MACHINE], snapshotEvery: bad })).toThrow(ValidationError);
    }
  });

  it('default to one every 500 events', async () => {
    await heartbeat(store, clock, 170);
    // 3 + 170 × 3 = 513 events; the append passing 500 ends at 501.
    expect(await store.streamVersion(STREAM)).toBe(513);
    expect(snapshotsOf(store).map((s) => s.version)).toEqual([501]);
  });

  it('a snapshot that cannot be written is logged and the command still succeeds', async () => {
    jest.spyOn(store, 'saveSnapshot').mockRejectedValue(new EngineError('STORE_WRITE_FAILED', 'disk full'));
    const { logger } = await heartbeat(store, clock, 3, 5);
    expect(await store.streamVersion(STREAM)).toBe(12);
    expect(logger.lines).toContainEqual({ level: 'warn', message: 'snapshot not written', fields: { stream: STREAM, version: 6, code: 'STORE_WRITE_FAILED' } });
  });

  it('a replay starts from the latest snapshot at or before the version asked, and gives the same states as a fold from version 1', async () => {
    await heartbeat(store, clock, 8, 5);
    const all = await store.read(STREAM);
    const read = jest.spyOn(store, 'read');
    for (const version of [3, 6, 9, 10, 14, 27]) {
      const source = await readForReplay(store, HEARTBEAT_MACHINE, STREAM, version);
      const expectedStart = [6, 10, 15, 21, 25].filter((v) => v <= version).at(-1);
      expect(source.start?.version).toBe(expectedStart);
      expect(source.events[0].version).toBe(expectedStart ?? 1);
      expect(source.events.at(-1)!.version).toBe(version);
      expect(stateAtVersion(HEARTBEAT_MACHINE, source.events, version, source.start)).toEqual(stateAtVersion(HEARTBEAT_MACHINE, all, version));
    }
    // From the snapshot at 25 to the end: three events read, two folded.
    read.mockClear();
    const tail = await readForReplay(store, HEARTBEAT_MACHINE, STREAM);
    expect(read.mock.calls).toEqual([[STREAM, 25, undefined]]);
    expect(replayStream(HEARTBEAT_MACHINE, tail.events, Infinity, tail.start).map((s) => s.version)).toEqual([26, 27]);
  });

  it('a snapshot of another machine version is not used: the replay folds from version 1', async () => {
    await heartbeat(store, clock, 8, 5);
    const [event] = await store.read(STREAM, 25, 25);
    await store.saveSnapshot({ stream: STREAM, version: 25, hash: event.hash, machineId: 'heartbeat', machineVersion: 'older', state: { value: 'bogus' }, takenAt: 'x' });
    const source = await readForReplay(store, HEARTBEAT_MACHINE, STREAM);
    expect(source.start).toBeUndefined();
    expect(source.events.map((e) => e.version)).toEqual(Array.from({ length: 27 }, (_, i) => i + 1));
    expect(replayStream(HEARTBEAT_MACHINE, source.events)).toHaveLength(27);
  });

  it('a snapshot no longer tied to the chain (its event has another hash now) is not used', async () => {
    await heartbeat(store, clock, 8, 5);
    const kept = store.log.snapshots.get(STREAM)!;
    kept[kept.length - 1] = { ...kept[kept.length - 1], hash: 'f'.repeat(64) };
    const source = await readForReplay(store, HEARTBEAT_MACHINE, STREAM);
    expect(source.start).toBeUndefined();
    expect(source.events[0].version).toBe(1);
  });

  it('a replay from a snapshot still finds where the log and the machine disagree after it', async () => {
    await heartbeat(store, clock, 8, 5);
    store.log.tamperEditData(STREAM, 26, { at: 'edited', elapsedMs: 99 });
    const source = await readForReplay(store, HEARTBEAT_MACHINE, STREAM);
    expect(source.start?.version).toBe(25);
    expect(() => replayStream(HEARTBEAT_MACHINE, source.events, Infinity, source.start)).toThrow(expect.objectContaining({ code: 'REPLAY_MISMATCH', version: 26 }));
  });
});
