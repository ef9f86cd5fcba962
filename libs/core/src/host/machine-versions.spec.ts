// Versioned machines on the in-memory store with a simulated clock: a stream runs on the version
// of its machine it was created with (new ones on the newest), a stream on a version that is not
// registered is refused, `migrateStreams` moves in-flight streams on along the declared
// migrations with an `actor.migrated` event that replay and audit fold through, and an event
// recorded in an older payload schema replays through its upcasters.
import { MemoryEventStore } from '@engine/event-store';
import { TASK_MACHINE_V1, TASK_MACHINE_V2 } from '@engine/core/testing';
import { ReplayMismatchError, SimulatedClock, UnknownMachineVersionError, type RecordedEvent } from '@engine/core';
import { ActorHost } from './actor-host';
import { auditStore } from './audit';
import type { EffectRegistry } from './effects';
import { HOST_EVENTS } from './host-events';
import { migrateStreams } from './migrate';
import { replayStream, stateAtVersion } from './replay';
import { readForReplay } from './snapshot-replay';

/** The work effect never answers here (commands drive the tasks); it ends when the host stops. */
const effects: EffectRegistry = {
  work: { run: (_params, ctx) => new Promise<never>((_, reject) => ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason))) },
};

const hostOn = (store: MemoryEventStore, clock: SimulatedClock, definition: typeof TASK_MACHINE_V1 | typeof TASK_MACHINE_V2) =>
  new ActorHost({ store, clock, definitions: [definition], effects });

/** Before the upgrade: version 1 alone runs task-a (running, its work pending) and task-b (queued), and finished task-f. */
async function version1Streams(store: MemoryEventStore, clock: SimulatedClock): Promise<void> {
  const host = hostOn(store, clock, TASK_MACHINE_V1);
  await host.start();
  await host.create('task', 'a', { name: 'a' });
  await host.send('task-a', { type: 'START' });
  await host.create('task', 'b', { name: 'b' });
  await host.create('task', 'f', { name: 'f' });
  await host.send('task-f', { type: 'CANCEL' });
  await host.stop();
}

const versionsOf = (events: RecordedEvent[]) => events.map((e) => e.meta.machineVersion);

describe('versioned machines', () => {
  let store: MemoryEventStore;
  let clock: SimulatedClock;

  beforeEach(async () => {
    store = new MemoryEventStore();
    clock = new SimulatedClock(Date.parse('2026-06-01T10:00:00.000Z'));
    await version1Streams(store, clock);
  });

  it('runs each stream on the version it was created with, and new streams on the newest', async () => {
    const host = hostOn(store, clock, TASK_MACHINE_V2);
    const report = await host.start();
    expect(report.restored).toBe(2);
    expect(report.versionDrift).toEqual([
      { stream: 'task-a', recorded: '1', registered: '2' },
      { stream: 'task-b', recorded: '1', registered: '2' },
    ]);
    expect(report.unregisteredVersion).toEqual([]);

    // Version 1 ends a task on DONE { ref }; version 2 reviews it first and reads DONE { result }.
    expect((await host.send('task-a', { type: 'DONE', ref: 'R-a' })).state).toMatchObject({ value: 'done', status: 'done', context: { ref: 'R-a' } });
    await host.create('task', 'c', { name: 'c' });
    await host.send('task-c', { type: 'START' });
    const c = await host.send('task-c', { type: 'DONE', result: { ref: 'R-c' } });
    expect(c.state).toMatchObject({ value: 'reviewing', context: { ref: 'R-c', priority: 'normal' } });
    expect(c.machineVersion).toBe('2');
    await host.stop();

    expect(versionsOf(await store.read('task-a'))).toEqual(['1', '1', '1']);
    expect(new Set(versionsOf(await store.read('task-c')))).toEqual(new Set(['2']));
    expect((await store.read('task-c')).find((e) => e.type === 'DONE')?.meta.schemaVersion).toBe(2);
    expect((await auditStore(store, [TASK_MACHINE_V2])).ok).toBe(true);
  });

  it('refuses a stream of an unregistered version: reported at restore, a clear error on a command, a replay problem in the audit', async () => {
    const retired = { ...TASK_MACHINE_V1, version: '0' };
    const old = new ActorHost({ store, clock, definitions: [retired], effects });
    await old.create(retired, 'z', { name: 'z' });
    await old.stop();

    const host = hostOn(store, clock, TASK_MACHINE_V2);
    const report = await host.start();
    expect(report.unregisteredVersion).toEqual([{ stream: 'task-z', recorded: '0', registered: ['2', '1'] }]);
    expect(host.liveStreams()).not.toContain('task-z');
    await expect(host.send('task-z', { type: 'START' })).rejects.toBeInstanceOf(UnknownMachineVersionError);
    await host.stop();
    expect(await store.streamVersion('task-z')).toBe(1);

    const audit = await auditStore(store, [TASK_MACHINE_V2]);
    expect(audit.ok).toBe(false);
    expect(audit.replayProblems).toEqual([expect.objectContaining({ stream: 'task-z', version: 1, machineVersion: '0' })]);
  });

  it('migrate: a dry run lists the in-flight streams on an older version and changes nothing; apply moves them on, once', async () => {
    const before = await store.readAll(0);
    const plan = await migrateStreams(store, [TASK_MACHINE_V2], { apply: false, clock });
    expect(plan).toEqual([
      { stream: 'task-a', machineId: 'task', streamVersion: 2, from: '1', to: '2', outcome: 'migrate', path: ['1', '2'], stateBefore: 'running', stateAfter: 'running' },
      { stream: 'task-b', machineId: 'task', streamVersion: 1, from: '1', to: '2', outcome: 'migrate', path: ['1', '2'], stateBefore: 'queued', stateAfter: 'queued' },
    ]);
    expect(await store.readAll(0)).toEqual(before);

    await clock.advance(60_000);
    const applied = await migrateStreams(store, [TASK_MACHINE_V2], { apply: true, clock });
    expect(applied.map((m) => [m.stream, m.outcome])).toEqual([
      ['task-a', 'migrate'],
      ['task-b', 'migrate'],
    ]);
    const [migrated] = await store.read('task-a', 3);
    expect(migrated).toMatchObject({
      type: HOST_EVENTS.migrated,
      data: { from: '1', to: '2', state: { value: 'running', context: { name: 'a', ref: null, priority: 'normal' } } },
      meta: { machineId: 'task', machineVersion: '2', at: '2026-06-01T10:01:00.000Z' },
    });
    // The pending work effect carries over to version 2, which now decides its outcome.
    expect(Object.values((migrated.stateAfter as { effects: object }).effects)).toEqual([{ type: 'work', params: { name: 'a' } }]);

    const positions = (await store.readAll(0)).length;
    expect(await migrateStreams(store, [TASK_MACHINE_V2], { apply: true, clock })).toEqual([]);
    expect((await store.readAll(0)).length).toBe(positions);

    const host = hostOn(store, clock, TASK_MACHINE_V2);
    expect((await host.start()).versionDrift).toEqual([]);
    expect((await host.send('task-a', { type: 'DONE', result: { ref: 'R-a' } })).state).toMatchObject({ value: 'reviewing', context: { ref: 'R-a', priority: 'normal' } });
    await host.send('task-b', { type: 'START' });
    await host.stop();

    expect(versionsOf(await store.read('task-a'))).toEqual(['1', '1', '2', '2']);
    const audit = await auditStore(store, [TASK_MACHINE_V2]);
    expect(audit).toMatchObject({ ok: true, replayProblems: [], chainProblems: [] });
    expect(replayStream(TASK_MACHINE_V2, await store.read('task-a')).map((s) => s.type)).toEqual(['actor.started', 'START', HOST_EVENTS.migrated, 'DONE']);
  });

  it('migrate: a stream with no declared migration path stays on its version and is reported', async () => {
    const noMigrations = { ...TASK_MACHINE_V2, migrations: [] };
    const report = await migrateStreams(store, [noMigrations], { apply: true, clock });
    expect(report.map((m) => [m.stream, m.outcome, m.reason])).toEqual([
      ['task-a', 'no-path', 'no declared migration leads from version 1 to 2'],
      ['task-b', 'no-path', 'no declared migration leads from version 1 to 2'],
    ]);
    expect(versionsOf(await store.read('task-b'))).toEqual(['1']);
  });

  it('replay refuses a recorded migration that is not declared', async () => {
    await migrateStreams(store, [TASK_MACHINE_V2], { apply: true, clock });
    const events = await store.read('task-a');
    expect(() => replayStream({ ...TASK_MACHINE_V2, migrations: [] }, events)).toThrow(ReplayMismatchError);
  });

  it('a snapshot taken on version 1 starts a replay on version 1, which switches to version 2 at the migration', async () => {
    const host = new ActorHost({ store, clock, definitions: [TASK_MACHINE_V1], effects, snapshotEvery: 1 });
    await host.start();
    await host.create('task', 's', { name: 's' });
    await host.send('task-s', { type: 'START' });
    await host.stop();
    expect(await store.latestSnapshot('task-s')).toMatchObject({ version: 2, machineVersion: '1' });
    await migrateStreams(store, [TASK_MACHINE_V2], { apply: true, clock });

    const source = await readForReplay(store, TASK_MACHINE_V2, 'task-s');
    expect(source.start).toMatchObject({ version: 2, machineVersion: '1' });
    expect(stateAtVersion(TASK_MACHINE_V2, source.events, 3, source.start)).toMatchObject({ value: 'running', context: { priority: 'normal' } });
  });

  it('replays a DONE recorded in payload schema 1 through the version-2 shape, by its upcaster', async () => {
    const host = hostOn(store, clock, TASK_MACHINE_V2);
    await host.start();
    await host.create('task', 'u', { name: 'u' });
    await host.send('task-u', { type: 'START' });
    await host.send('task-u', { type: 'DONE', result: { ref: 'R-u' } });
    await host.stop();
    // The log as a build before DONE's payload change wrote it: DONE { ref }, no schema version.
    const log = (await store.read('task-u')).map((e) => (e.type === 'DONE' ? { ...e, data: { ref: 'R-u' }, meta: { ...e.meta, schemaVersion: undefined } } : e));

    const steps = replayStream(TASK_MACHINE_V2, log);
    expect(steps[steps.length - 1].state).toMatchObject({ value: 'reviewing', context: { ref: 'R-u' } });
    // Without the upcaster the version-2 machine reads a payload it was not written for, and fails on it.
    expect(() => replayStream({ ...TASK_MACHINE_V2, eventSchemas: {} }, log)).toThrow(TypeError);
    // A payload newer than the definition reads is refused, not guessed at.
    const newer = log.map((e) => (e.type === 'DONE' ? { ...e, meta: { ...e.meta, schemaVersion: 3 } } : e));
    expect(() => replayStream(TASK_MACHINE_V2, newer)).toThrow(ReplayMismatchError);
  });
});
