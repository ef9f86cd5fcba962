// `engine migrate` on a SQLite store, run in process (the command function the CLI calls, with
// the two-version task machine of @engine/core/testing): a dry run lists the in-flight
// version-1 streams and what each would become and writes nothing; --apply moves them to
// version 2 with an actor.migrated event each, audit verify still passes, and a second
// --apply changes nothing.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ActorHost, auditStore, SimulatedClock, type EffectRegistry } from '@engine/core';
import { TASK_MACHINE_V1, TASK_MACHINE_V2 } from '@engine/core/testing';
import { SqliteEventStore } from '@engine/event-store';
import { CliError, EXIT } from './cli-error';
import { runCli } from './main';
import { migrateCommand } from './migrate-command';
import { openStoreForReading } from './open-store';

jest.setTimeout(60_000);

const effects: EffectRegistry = {
  work: { run: (_params, ctx) => new Promise<never>((_, reject) => ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason))) },
};

describe('engine migrate on a SQLite store', () => {
  let dir: string;
  let file: string;
  const clock = new SimulatedClock(Date.parse('2026-06-01T10:00:00.000Z'));

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'engine-migrate-'));
    file = join(dir, 'events.db');
    // Written before the upgrade, by version 1 alone: one task running, one queued, one finished.
    const store = new SqliteEventStore(file);
    const host = new ActorHost({ store, clock, definitions: [TASK_MACHINE_V1], effects });
    await host.start();
    await host.create('task', 'a', { name: 'a' });
    await host.send('task-a', { type: 'START' });
    await host.create('task', 'b', { name: 'b' });
    await host.create('task', 'f', { name: 'f' });
    await host.send('task-f', { type: 'CANCEL' });
    await host.stop();
    await store.close();
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  async function migrate(apply: boolean): Promise<{ code: number; out: string[]; err: string[]; events: number }> {
    const { store } = await openStoreForReading(`sqlite:${file}`);
    const out: string[] = [];
    const err: string[] = [];
    try {
      const code = await migrateCommand(store, [TASK_MACHINE_V2], apply, clock, (l) => out.push(l), (l) => err.push(l));
      return { code, out, err, events: (await store.readAll(0)).length };
    } finally {
      await store.close();
    }
  }

  it('--dry-run lists what each in-flight version-1 stream would become and changes nothing; --apply moves them once; audit verify passes', async () => {
    const dry = await migrate(false);
    expect(dry.code).toBe(EXIT.ok);
    expect(dry.out).toEqual([
      'would migrate task-a (machine task, stream version 2): v1 → v2, state running → running',
      'would migrate task-b (machine task, stream version 1): v1 → v2, state queued → queued',
      "dry run: 2 in-flight stream(s) would move to their machine's newest version, 0 stay on their version; nothing was changed",
    ]);

    const applied = await migrate(true);
    expect(applied).toMatchObject({ code: EXIT.ok, err: [], events: dry.events + 2 });
    expect(applied.out.slice(0, 2)).toEqual([
      'migrated task-a (machine task, stream version 2): v1 → v2, state running → running',
      'migrated task-b (machine task, stream version 1): v1 → v2, state queued → queued',
    ]);

    const again = await migrate(true);
    expect(again).toMatchObject({ code: EXIT.ok, events: applied.events });
    expect(again.out).toEqual(["migrate OK: 0 in-flight stream(s) moved to their machine's newest version, 0 stay on their version"]);

    const { store } = await openStoreForReading(`sqlite:${file}`);
    try {
      const [last] = await store.read('task-b', 2);
      expect(last).toMatchObject({ type: 'actor.migrated', data: { from: '1', to: '2' }, meta: { machineVersion: '2' } });
      expect(await auditStore(store, [TASK_MACHINE_V2])).toMatchObject({ ok: true, streams: 3 });
    } finally {
      await store.close();
    }
  });

  it('the CLI takes exactly one of --dry-run and --apply, and runs with the engine machines', async () => {
    await expect(runCli(['migrate', '--store', `sqlite:${file}`], {})).rejects.toBeInstanceOf(CliError);
    await expect(runCli(['migrate', '--dry-run', '--apply', '--store', `sqlite:${file}`], {})).rejects.toBeInstanceOf(CliError);
    const written: string[] = [];
    const stdout = jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => (written.push(String(chunk)), true));
    try {
      // The engine's own machines hold no task streams: nothing to move.
      expect(await runCli(['migrate', '--dry-run', '--store', `sqlite:${file}`], {})).toBe(EXIT.ok);
    } finally {
      stdout.mockRestore();
    }
    expect(written.join('')).toMatch(/^dry run: 0 in-flight stream\(s\)/);
  });
});
