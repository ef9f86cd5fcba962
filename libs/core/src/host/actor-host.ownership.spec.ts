// Specifications of the host with a StreamOwnership (several workers on one store): it
// decides, runs effects and arms timers only for streams it holds; adopt() takes a stream over
// as start-up restore would; release() lets it go; a command for a stream held elsewhere is
// forwarded, not decided. Two hosts on one in-memory store play two workers. Fencing: appends
// carry the lease's token and a refusal lets the stream go; effects start only while held and
// can confirm the lease before an irreversible step.
import { HEARTBEAT_MACHINE } from '@engine/core/testing';
import { JOB_MACHINE } from '@engine/machines';
import { MemoryEventStore } from '@engine/event-store';
import { FencedOffError, InvalidCommandError, SimulatedClock, type AppendOptions, type EventStore, type NewEvent } from '@engine/core';
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

/**
 * The in-memory store with the one rule PostgreSQL adds: an append carrying a fence must carry
 * the current one. `beforeAppend` runs as an append arrives (to let a lease lapse mid-append).
 */
function fencedStore(inner: MemoryEventStore, current: () => number, beforeAppend: () => void = () => undefined) {
  const fences: Array<number | undefined> = [];
  const store: EventStore = Object.create(inner);
  store.append = async (stream: string, events: NewEvent[], options: AppendOptions) => {
    fences.push(options.fence);
    beforeAppend();
    if (options.fence !== undefined && options.fence !== current()) throw new FencedOffError(stream, options.fence, current());
    return inner.append(stream, events, options);
  };
  return { store, fences };
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

  it('appends carry the fencing token; one refused as stale lets the stream go, timers and all', async () => {
    const held = new Set([STREAM]);
    let current = 7;
    const { store: fenced, fences } = fencedStore(store, () => current);
    const p = probe([OK, OK]);
    const host = new ActorHost({ store: fenced, clock, definitions: [HEARTBEAT_MACHINE], effects: p.registry });
    await host.start({ ...ownership(held).own, fence: () => 7 });
    await host.create('heartbeat', 'b1', input);
    await host.idle();
    expect(fences).toEqual([undefined, 7]); // a new stream is guarded by no-stream; decisions by the token
    const version = await store.streamVersion(STREAM);

    current = 8; // another worker claimed the stream; this one has not noticed yet
    await clock.advance(30_000);
    await host.idle();
    expect(fences).toEqual([undefined, 7, 7]);
    expect(await store.streamVersion(STREAM)).toBe(version);
    expect(host.liveStreams()).toEqual([]);
    await clock.advance(60_000);
    await host.idle();
    expect(fences).toHaveLength(3); // its timer was disarmed with it
    expect(p.runs).toHaveLength(1);
    await host.stop();
  });

  it('starts no effect for a stream lost while its decision was being written; the holder resolves it', async () => {
    const held = new Set([STREAM]);
    let lapseOnAppend = false;
    const { store: lapsing } = fencedStore(store, () => 1, () => lapseOnAppend && held.delete(STREAM));
    const p = probe([OK]);
    const host = new ActorHost({ store: lapsing, clock, definitions: [HEARTBEAT_MACHINE], effects: p.registry });
    await host.start(ownership(held).own);
    await host.create('heartbeat', 'b1', input);
    await host.idle();
    expect(p.runs).toHaveLength(1);

    lapseOnAppend = true; // the timer's decision passes the ownership check, then the lease lapses under it
    await clock.advance(30_000);
    await host.idle();
    const state = (await store.read(STREAM)).pop()?.stateAfter as { value: string; effects: Record<string, unknown> };
    expect(state.value).toBe('probing');
    expect(Object.keys(state.effects)).toHaveLength(1); // recorded as started, for the next holder's interrupted policy
    expect(p.runs).toHaveLength(1); // but not run here
    await host.stop();
  });

  it('still runs fire-and-forget clean-up (closing its own clone) for a stream lost during the write', async () => {
    const held = new Set(['job-j1']);
    let lapseOnAppend = false;
    const { store: lapsing } = fencedStore(store, () => 1, () => lapseOnAppend && held.delete('job-j1'));
    const runs: string[] = [];
    const registry: EffectRegistry = {
      cloneSession: { run: (_p, ctx) => (runs.push('cloneSession'), new Promise((_, reject) => ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason)))) },
      closeClone: { run: async () => void runs.push('closeClone') },
    };
    const host = new ActorHost({ store: lapsing, clock, definitions: [JOB_MACHINE], effects: registry });
    await host.start(ownership(held).own);
    await host.create('job', 'j1', { jobId: 'j1', portal: 'sim', payload: {}, businessKey: 'BK-1', steps: ['a'] });
    await host.send('job-j1', { type: 'START', at: 'now' });
    expect(runs).toEqual(['cloneSession']);
    lapseOnAppend = true;
    await host.send('job-j1', { type: 'CANCEL', reason: 'customer withdrew', at: 'now' });
    host.release('job-j1');
    await host.idle();
    expect(runs).toEqual(['cloneSession', 'closeClone']);
    await host.stop();
  });

  it('lets an effect confirm its lease before acting: yes while held and confirmed, no otherwise', async () => {
    const held = new Set([STREAM]);
    let revoked = false;
    const answers: string[] = [];
    const registry: EffectRegistry = {
      probeTarget: {
        run: async (_params, ctx) => {
          answers.push(await ctx.confirmHeld().then(() => 'held', (error: { code: string }) => error.code));
          return OK;
        },
      },
    };
    const host = new ActorHost({ store, clock, definitions: [HEARTBEAT_MACHINE], effects: registry });
    await host.start({
      ...ownership(held).own,
      confirm: async (stream) => {
        if (revoked) throw new FencedOffError(stream, 1, 2);
      },
    });
    await host.create('heartbeat', 'b1', input);
    await host.idle();
    revoked = true; // the lease table says another worker holds it now
    await clock.advance(30_000);
    await host.idle();
    expect(answers).toEqual(['held', 'FENCED_OFF']);

    const single = new ActorHost({ store: new MemoryEventStore(), clock, definitions: [HEARTBEAT_MACHINE], effects: registry });
    await single.start(); // one process: always held
    await single.create('heartbeat', 'b1', input);
    await single.idle();
    expect(answers).toEqual(['held', 'FENCED_OFF', 'held']);
    await host.stop();
    await single.stop();
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
