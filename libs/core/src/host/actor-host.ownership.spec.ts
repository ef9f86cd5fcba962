// Specifications of the host with a StreamOwnership (several workers on one store): it
// decides, runs effects and arms timers only for streams it holds; adopt() takes a stream over
// as start-up restore would; release() lets it go; a command for a stream held elsewhere is
// forwarded, not decided. Two hosts on one in-memory store play two workers.
import { HEARTBEAT_MACHINE } from '@engine/core/testing';
import { MemoryEventStore } from '@engine/event-store';
import { InvalidCommandError, SimulatedClock } from '@engine/core';
import { ActorHost, type StreamOwnership } from './actor-host';
import type { EffectRegistry, EngineEvent } from './effects';

const input = { target: 'browser-1', intervalMs: 30_000, retryMs: 5_000, maxMisses: 2 };
const STREAM = 'heartbeat-b1';

function ownership(held: Set<string>) {
  const forwarded: { stream: string; event: EngineEvent }[] = [];
  const own: StreamOwnership = {
    owns: (stream) => held.has(stream),
    forward: async (stream, event) => void forwarded.push({ stream, event }),
  };
  return { own, forwarded };
}

/** A probe that answers from the list, or hangs until aborted. */
function probe(outcomes: EngineEvent[]) {
  const runs: string[] = [];
  const aborted: string[] = [];
  const registry: EffectRegistry = {
    probeTarget: {
      run: (_params, ctx) => {
        runs.push(ctx.effectId);
        const next = outcomes.shift();
        if (next) return Promise.resolve(next);
        return new Promise((_, reject) => ctx.signal.addEventListener('abort', () => (aborted.push(ctx.effectId), reject(ctx.signal.reason))));
      },
    },
  };
  return { registry, runs, aborted };
}

jest.setTimeout(10_000);

const OK: EngineEvent = { type: 'PROBE_OK', at: 'now', elapsedMs: 5 };

describe('ActorHost with stream ownership', () => {
  let store: MemoryEventStore;
  let clock: SimulatedClock;

  beforeEach(() => {
    store = new MemoryEventStore();
    clock = new SimulatedClock();
  });

  it('creates a stream it does not hold without running its effects; the claimer runs them on adopt', async () => {
    const creatorProbe = probe([OK]);
    const creator = new ActorHost({ store, clock, definitions: [HEARTBEAT_MACHINE], effects: creatorProbe.registry });
    await creator.start(ownership(new Set()).own);
    await creator.create('heartbeat', 'b1', input);
    await creator.idle();
    expect(creatorProbe.runs).toEqual([]);
    expect(creator.liveStreams()).toEqual([]);

    const held = new Set<string>();
    const ownerProbe = probe([OK]);
    const owner = new ActorHost({ store, clock, definitions: [HEARTBEAT_MACHINE], effects: ownerProbe.registry });
    const report = await owner.start(ownership(held).own);
    expect(report.restored).toBe(0);
    held.add(STREAM);
    expect((await owner.adopt(STREAM))?.status).toBe('active');
    await owner.idle();
    expect(ownerProbe.runs).toEqual([`${STREAM}:1:0`]);
    expect((await owner.getState(STREAM))?.state.value).toBe('healthy');
    await owner.stop();
    await creator.stop();
  });

  it('forwards a command for a stream it does not hold after checking it against the latest state', async () => {
    const held = new Set([STREAM]);
    const owner = new ActorHost({ store, clock, definitions: [HEARTBEAT_MACHINE], effects: probe([OK]).registry });
    await owner.start(ownership(held).own);
    await owner.create('heartbeat', 'b1', input);
    await owner.idle();

    const other = ownership(new Set());
    const worker = new ActorHost({ store, clock, definitions: [HEARTBEAT_MACHINE], effects: probe([]).registry, forwardWaitMs: 50 });
    await worker.start(other.own);
    const before = await store.streamVersion(STREAM);
    // Nobody applies it here, so after the wait the answer is the state known now.
    await expect(worker.send(STREAM, { type: 'STOP' })).resolves.toMatchObject({ stream: STREAM, version: before });
    expect(other.forwarded).toEqual([{ stream: STREAM, event: { type: 'STOP' } }]);
    expect(await store.streamVersion(STREAM)).toBe(before);
    await expect(worker.send(STREAM, { type: 'PROBE_OK' })).rejects.toBeInstanceOf(InvalidCommandError);
    expect(other.forwarded).toHaveLength(1);
    await owner.stop();
    await worker.stop();
  });

  it('restores at start only the streams it holds, and adopts the rest with their timers and interrupted effects', async () => {
    const first = new ActorHost({ store, clock, definitions: [HEARTBEAT_MACHINE], effects: probe([]).registry });
    await first.create('heartbeat', 'b1', input); // its probe is in flight when the worker dies
    await first.create('heartbeat', 'b2', input);

    const held = new Set(['heartbeat-b2']);
    const secondProbe = probe([OK, OK, OK, OK]); // b2 and b1 now, and both again after their timers
    const second = new ActorHost({ store, clock, definitions: [HEARTBEAT_MACHINE], effects: secondProbe.registry });
    const report = await second.start(ownership(held).own);
    expect(report.restored).toBe(1);
    expect(report.interrupted.map((i) => i.stream)).toEqual(['heartbeat-b2']);
    await second.idle();
    expect(secondProbe.runs).toEqual(['heartbeat-b2:1:0']);

    held.add(STREAM);
    await second.adopt(STREAM);
    await second.idle();
    expect(secondProbe.runs).toEqual(['heartbeat-b2:1:0', `${STREAM}:1:0`]);
    const afterProbe = await store.streamVersion(STREAM);
    await clock.advance(30_000); // the adopted stream's durable timer was armed: it probes again
    await second.idle();
    expect(await store.streamVersion(STREAM)).toBeGreaterThan(afterProbe);
    await second.stop();
    await first.stop();
  });

  it('after release it neither fires timers nor records the late outcome of an aborted effect', async () => {
    const held = new Set([STREAM]);
    const p = probe([OK]);
    const host = new ActorHost({ store, clock, definitions: [HEARTBEAT_MACHINE], effects: p.registry });
    await host.start(ownership(held).own);
    await host.create('heartbeat', 'b1', input);
    await host.idle();
    await clock.advance(30_000); // the heartbeat timer fires: a second probe starts and hangs
    await new Promise((r) => setImmediate(r));
    expect(p.runs).toHaveLength(2);
    const version = await store.streamVersion(STREAM);

    held.delete(STREAM);
    host.release(STREAM);
    await host.idle();
    expect(p.aborted).toEqual([p.runs[1]]);
    expect(await store.streamVersion(STREAM)).toBe(version);
    await clock.advance(60_000);
    await host.idle();
    expect(await store.streamVersion(STREAM)).toBe(version);
    expect(host.liveStreams()).toEqual([]);
    await host.stop();
  });
});
