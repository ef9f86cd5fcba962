// Specifications of the engine loop on the in-memory store and a simulated clock, with the
// heartbeat machine: append before effects, outcomes recorded once, restore without refold,
// interrupted effects found at start, durable timers across restarts, audit replay.
import { HEARTBEAT_MACHINE } from '@engine/core/testing';
import { MemoryEventStore } from '@engine/event-store';
import { InvalidCommandError, ReplayMismatchError, SimulatedClock, VersionConflictError } from '@engine/core';
import { assign, setup } from 'xstate';
import type { EngineEvent } from './effects';
import { ActorHost } from './actor-host';
import type { EffectRegistry } from './effects';
import { auditStore } from './audit';
import { replayStream, stateAtVersion } from './replay';

const input = { target: 'browser-1', intervalMs: 30_000, retryMs: 5_000, maxMisses: 2 };
const STREAM = 'heartbeat-b1';

function probeHandler(outcomes: (() => Promise<EngineEvent>)[]) {
  const calls: { effectId: string; storeVersionAtRun: number }[] = [];
  let store: MemoryEventStore;
  const registry: EffectRegistry = {
    probeTarget: {
      run: async (_params, ctx) => {
        calls.push({ effectId: ctx.effectId, storeVersionAtRun: await store.streamVersion(ctx.stream) });
        const next = outcomes.shift();
        // No outcome: hangs like a stuck browser call, until the host aborts it.
        return next ? next() : new Promise<never>((_, reject) => ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason)));
      },
    },
  };
  return { registry, calls, bind: (s: MemoryEventStore) => (store = s) };
}

const ok = async (): Promise<EngineEvent> => ({ type: 'PROBE_OK', at: 'now', elapsedMs: 5 });
const fail = async (): Promise<EngineEvent> => ({ type: 'PROBE_FAILED', at: 'now', reason: 'login-form' });

function newHost(store: MemoryEventStore, clock: SimulatedClock, effects: EffectRegistry) {
  return new ActorHost({ store, clock, definitions: [HEARTBEAT_MACHINE], effects });
}

describe('ActorHost', () => {
  let store: MemoryEventStore;
  let clock: SimulatedClock;

  beforeEach(() => {
    store = new MemoryEventStore();
    clock = new SimulatedClock();
  });

  it('appends the transition before running its effect, and records the outcome with the effect id', async () => {
    const probe = probeHandler([ok]);
    probe.bind(store);
    const host = newHost(store, clock, probe.registry);
    await host.create('heartbeat', 'b1', input);
    await host.idle();

    expect(probe.calls).toEqual([{ effectId: `${STREAM}:1:0`, storeVersionAtRun: 1 }]);
    const events = await store.read(STREAM);
    expect(events.map((e) => e.type)).toEqual(['actor.started', 'PROBE_OK', 'timer.scheduled']);
    expect(events[0].meta).toMatchObject({ machineId: 'heartbeat', machineVersion: '1' });
    expect(events[1].meta.effectId).toBe(`${STREAM}:1:0`);
    expect((events[2].stateAfter as any).timers.next.dueAt).toBe(clock.now() + 30_000);
    await host.stop();
  });

  it('ignores a second outcome for the same effect id', async () => {
    const probe = probeHandler([ok]);
    probe.bind(store);
    const host = newHost(store, clock, probe.registry);
    await host.create('heartbeat', 'b1', input);
    await host.idle();
    const before = await store.streamVersion(STREAM);
    await expect(host.report(STREAM, `${STREAM}:1:0`, { type: 'PROBE_FAILED', at: 'x', reason: 'late' })).resolves.toBeUndefined();
    await expect(host.report(STREAM, 'never-issued', { type: 'PROBE_OK', at: 'x', elapsedMs: 1 })).resolves.toBeUndefined();
    expect(await store.streamVersion(STREAM)).toBe(before);
    await host.stop();
  });

  it('refuses a command the state does not accept and appends nothing', async () => {
    const probe = probeHandler([]);
    probe.bind(store);
    const host = newHost(store, clock, probe.registry);
    await host.create('heartbeat', 'b1', input);
    await expect(host.send(STREAM, { type: 'STOP' })).rejects.toBeInstanceOf(InvalidCommandError);
    expect(await store.streamVersion(STREAM)).toBe(1);
    await host.stop();
  });

  it('creating an existing stream is a version conflict', async () => {
    const probe = probeHandler([]);
    probe.bind(store);
    const host = newHost(store, clock, probe.registry);
    await host.create('heartbeat', 'b1', input);
    await expect(host.create('heartbeat', 'b1', input)).rejects.toBeInstanceOf(VersionConflictError);
    await host.stop();
  });

  it('a crash between append and effect leaves a started effect without outcome, which the rebuild finds and re-runs', async () => {
    const crashed = probeHandler([]); // the probe never answers: the process dies with it in flight
    crashed.bind(store);
    const first = newHost(store, clock, crashed.registry);
    await first.create('heartbeat', 'b1', input);
    expect(crashed.calls).toHaveLength(1);
    // no stop(): the process is gone; a new host starts on the same log
    const resumed = probeHandler([ok]);
    resumed.bind(store);
    const second = newHost(store, clock, resumed.registry);
    const report = await second.start();
    expect(report.interrupted).toEqual([{ stream: STREAM, effectId: `${STREAM}:1:0`, type: 'probeTarget', policy: 'rerun' }]);
    await second.idle();
    expect(resumed.calls.map((c) => c.effectId)).toEqual([`${STREAM}:1:0`]);
    expect((await second.getState(STREAM))?.state.value).toBe('healthy');
    await second.stop();
  });

  it('hands an interrupted effect to its reconcile policy instead of re-running it', async () => {
    const crashed = probeHandler([]);
    crashed.bind(store);
    await newHost(store, clock, crashed.registry).create('heartbeat', 'b1', input);
    const run = jest.fn();
    const reconcile = jest.fn(async () => ({ type: 'PROBE_FAILED', at: 'x', reason: 'interrupted' }));
    const second = newHost(store, clock, { probeTarget: { run, onInterrupted: reconcile } });
    const report = await second.start();
    await second.idle();
    expect(report.interrupted[0].policy).toBe('reconcile');
    expect(run).not.toHaveBeenCalled();
    expect(reconcile).toHaveBeenCalledWith({ target: 'browser-1' }, expect.objectContaining({ effectId: `${STREAM}:1:0` }));
    expect((await second.getState(STREAM))?.state.value).toBe('suspect');
    await second.stop();
  });

  it('restores from the last snapshot and fires a durable timer after a restart on the simulated clock', async () => {
    const probe = probeHandler([ok]);
    probe.bind(store);
    const first = newHost(store, clock, probe.registry);
    await first.create('heartbeat', 'b1', input);
    await first.idle();
    await first.stop(); // timers die with the process

    await clock.advance(10_000);
    const again = probeHandler([ok]);
    again.bind(store);
    const second = newHost(store, clock, again.registry);
    const readSpy = jest.spyOn(store, 'read');
    const report = await second.start();
    expect(report).toMatchObject({ restored: 1, timersArmed: 1, interrupted: [] });
    expect(readSpy).not.toHaveBeenCalled(); // heads() only: no refold
    await clock.advance(19_999);
    expect(again.calls).toHaveLength(0);
    await clock.advance(1);
    await second.idle();
    const types = (await store.read(STREAM)).map((e) => e.type);
    expect(types.slice(3)).toEqual(['TIMER.next', 'PROBE_OK', 'timer.scheduled']);
    const fired = (await store.read(STREAM))[3];
    expect(fired.meta.timerId).toBe(`${STREAM}:2:0`);
    await second.stop();
  });

  it('a finished stream awaits no effect: a late outcome is ignored and the stream ends on its final event', async () => {
    const race = setup({ actions: { fetchA: () => undefined, fetchB: () => undefined } }).createMachine({
      initial: 'racing',
      states: { racing: { entry: ['fetchA', 'fetchB'], on: { DONE: 'won' } }, won: { type: 'final' } },
    });
    const def = { id: 'race', version: '1', streamPrefix: 'race-', machine: race };
    let answerB: (e: EngineEvent) => void = () => undefined;
    const host = new ActorHost({
      store,
      clock,
      definitions: [def],
      effects: { fetchA: { run: async () => ({ type: 'DONE' }) }, fetchB: { run: () => new Promise<EngineEvent>((resolve) => (answerB = resolve)) } },
    });
    await host.create('race', 'r1', {});
    await new Promise((r) => setImmediate(r));
    const finished = await host.getState('race-r1');
    expect(finished?.state).toMatchObject({ value: 'won', status: 'done', effects: {} });
    answerB({ type: 'DONE' });
    await host.idle();
    const events = await store.read('race-r1');
    expect(events.map((e) => e.type)).toEqual(['actor.started', 'DONE']);
    await host.stop(50);
  });

  it('skips final streams at start', async () => {
    const probe = probeHandler([fail, fail]);
    probe.bind(store);
    const host = newHost(store, clock, probe.registry);
    await host.create('heartbeat', 'b1', input);
    await host.idle();
    await clock.advance(5_000);
    await host.idle();
    expect((await host.getState(STREAM))?.state.value).toBe('dead');
    await host.stop();
    const report = await newHost(store, clock, {}).start();
    expect(report).toMatchObject({ restored: 0, skippedFinal: 1 });
  });

  it('a writer that lost the version race re-reads and re-decides instead of overwriting', async () => {
    const probe = probeHandler([ok]);
    probe.bind(store);
    const a = newHost(store, clock, probe.registry);
    await a.create('heartbeat', 'b1', input);
    await a.idle();
    const b = newHost(store, clock, {});
    await b.start(); // b caches version 3 (healthy)
    await a.send(STREAM, { type: 'STOP' }); // a moves the stream on
    await expect(b.send(STREAM, { type: 'STOP' })).rejects.toBeInstanceOf(InvalidCommandError); // re-decided on the new state
    const types = (await store.read(STREAM)).map((e) => e.type);
    expect(types.filter((t) => t === 'STOP')).toHaveLength(1);
    await a.stop();
    await b.stop();
  });

  it('records a foreign error thrown by an effect by its class name only: its message may carry a secret', async () => {
    const host = newHost(store, clock, {
      probeTarget: {
        run: async () => {
          throw new TypeError('GET https://agent:hunter2@portal/ failed');
        },
      },
    });
    await host.create('heartbeat', 'b1', input);
    await host.idle();
    const events = await store.read(STREAM);
    expect(events[1]).toMatchObject({ type: 'EFFECT_FAILED', data: { effect: 'probeTarget', error: { code: 'TypeError' } } });
    expect(JSON.stringify(events)).not.toContain('hunter2');
    await host.stop();
  });

  it('stop() does not wait forever for an effect that ignores its AbortSignal', async () => {
    const host = newHost(store, clock, { probeTarget: { run: () => new Promise<never>(() => undefined) } });
    await host.create('heartbeat', 'b1', input);
    await expect(host.stop(50)).resolves.toBeUndefined();
  });

  describe('audit replay', () => {
    async function recordedStream() {
      const probe = probeHandler([ok, fail, ok]);
      probe.bind(store);
      const host = newHost(store, clock, probe.registry);
      await host.create('heartbeat', 'b1', input);
      await host.idle();
      await clock.advance(30_000);
      await host.idle();
      await clock.advance(5_000);
      await host.idle();
      return { host, probe, events: await store.read(STREAM) };
    }

    it('rebuilds every stored state and runs no effect', async () => {
      const { host, probe, events } = await recordedStream();
      const effectRuns = probe.calls.length;
      const appendSpy = jest.spyOn(store, 'append');
      const steps = replayStream(HEARTBEAT_MACHINE, events);
      expect(steps.map((s) => s.version)).toEqual(events.map((e) => e.version));
      expect(steps.map((s) => s.state)).toEqual(events.map((e) => e.stateAfter));
      expect(stateAtVersion(HEARTBEAT_MACHINE, events, 4).value).toBe('probing');
      const report = await auditStore(store, [HEARTBEAT_MACHINE]);
      expect(report).toMatchObject({ ok: true, streams: 1, events: events.length });
      expect(probe.calls.length).toBe(effectRuns); // the live host's effect handler was not called again
      expect(appendSpy).not.toHaveBeenCalled();
      await host.stop();
    });

    it('fails with stream, version and machine version when a stored state was changed', async () => {
      const { host, events } = await recordedStream();
      await host.stop();
      const changed = { ...HEARTBEAT_MACHINE, version: '2', compatibleVersions: ['1'], machine: HEARTBEAT_MACHINE.machine.provide({}) };
      const tampered = events.map((e) => (e.version === 5 ? { ...e, stateAfter: { ...(e.stateAfter as object), context: { misses: 99 } } } : e));
      let error: unknown;
      try {
        replayStream(changed, tampered);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ReplayMismatchError);
      expect(error).toMatchObject({ stream: STREAM, version: 5, machineVersion: '1' });
    });

    it('detects a machine whose behaviour changed since the events were written', async () => {
      const { host, events } = await recordedStream();
      await host.stop();
      // Declared an additive change of version 1 (its logs replay on it), which it is not.
      const stricter = { ...HEARTBEAT_MACHINE, version: '2', compatibleVersions: ['1'], machine: HEARTBEAT_MACHINE.machine.provide({ guards: { lastChance: () => true } }) };
      const failedAt = events.find((e) => e.type === 'PROBE_FAILED')!.version;
      expect(() => replayStream(stricter, events)).toThrow(ReplayMismatchError);
      expect(() => replayStream(stricter, events)).toThrow(expect.objectContaining({ version: failedAt, machineVersion: '1' }));
    });
  });

  describe('the committed state it answers with and publishes', () => {
    // A counter: every ADD adds its amount; two writers adding to one stream must both count.
    const counter = setup({ types: {} as { context: { total: number; adds: number }; events: { type: 'ADD'; amount: number } } }).createMachine({
      id: 'counter',
      context: { total: 0, adds: 0 },
      on: { ADD: { actions: assign(({ context, event }) => ({ total: context.total + event.amount, adds: context.adds + 1 })) } },
    });
    const COUNTER = { id: 'counter', version: '1', streamPrefix: 'counter-', machine: counter };

    it('answers a command with the state it committed, after re-deciding on what a second writer appended meanwhile', async () => {
      const store = new MemoryEventStore();
      const clock = new SimulatedClock();
      const first = new ActorHost({ store, clock, definitions: [COUNTER] });
      await first.start();
      const versions: number[] = [];
      first.feed.subscribe(({ entry }) => {
        if (entry.stream === 'counter-c1') versions.push(entry.version);
      });
      await first.create('counter', 'c1', undefined);
      await first.send('counter-c1', { type: 'ADD', amount: 1 });
      // A second writer (another process on the same store) appends twice; the first still holds v2.
      const second = new ActorHost({ store, clock, definitions: [COUNTER] });
      await second.send('counter-c1', { type: 'ADD', amount: 10 });
      await second.send('counter-c1', { type: 'ADD', amount: 100 });

      const answer = await first.send('counter-c1', { type: 'ADD', amount: 1000 });
      const stored = await store.read('counter-c1');
      const last = stored[stored.length - 1];
      expect(answer).toMatchObject({ stream: 'counter-c1', version: last.version, position: last.position, state: { context: { total: 1111, adds: 4 } } });
      expect(answer.state).toEqual(last.stateAfter);
      // The feed saw every version once, in order: its own write-through and the other writer's
      // events through the store subscription, never a stale one after a newer.
      await first.feed.waitFor('counter-c1', (e) => e?.version === last.version, { signal: AbortSignal.timeout(10_000) });
      expect(versions).toEqual([1, 2, 3, 4, 5]);
      expect(first.feed.get('counter-c1')?.state).toEqual(last.stateAfter);
      await first.stop();
      await second.stop();
    });

    it('publishes a commit to the feed before the command that made it answers', async () => {
      const store = new MemoryEventStore();
      const host = new ActorHost({ store, clock: new SimulatedClock(), definitions: [COUNTER] });
      let seenBeforeAnswer = false;
      let answered = false;
      host.feed.subscribe(({ entry }) => {
        if (entry.version === 2 && !answered) seenBeforeAnswer = true;
      });
      await host.create('counter', 'c2', undefined);
      await host.send('counter-c2', { type: 'ADD', amount: 5 });
      answered = true;
      expect(seenBeforeAnswer).toBe(true);
      expect(host.feed.get('counter-c2')).toMatchObject({ version: 2, kind: 'counter', state: { context: { total: 5 } } });
      await host.stop();
    });
  });
});
