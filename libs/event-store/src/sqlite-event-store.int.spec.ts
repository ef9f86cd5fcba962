// The SQLite adapter against real files under os.tmpdir(): the conformance suite, then what
// only a file-backed store has to promise — refusing damaged or foreign files without touching
// them, group commit, and subscriptions fed from the rows just committed.
import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { StoreCorruptError, UnknownSchemaVersionError, VersionConflictError, canonicalEvent, type NewEvent, type RecordedEvent } from '@engine/core';
import { describeEventStoreConformance } from './conformance/event-store.conformance';
import { SqliteEventStore } from './sqlite-event-store';
import { SCHEMA_VERSION } from './sqlite-schema';
import { sqliteFixture, tamper, tempStoreFile } from './testing/sqlite-fixture';

describeEventStoreConformance('SqliteEventStore', () => sqliteFixture());

const event = (type: string, data: unknown = {}): NewEvent => ({ type, data, stateAfter: null, meta: { at: '2026-01-01T00:00:00.000Z' } });

/** sha256 of every file next to `file`; an empty WAL fingerprints as "empty". */
function fingerprints(file: string): Record<string, string> {
  const dir = dirname(file);
  return Object.fromEntries(
    readdirSync(dir).map((name) => {
      const bytes = readFileSync(join(dir, name));
      return [name, bytes.length === 0 ? 'empty' : createHash('sha256').update(bytes).digest('hex')];
    }),
  );
}

describe('SqliteEventStore files', () => {
  let temp: ReturnType<typeof tempStoreFile>;
  beforeEach(() => (temp = tempStoreFile()));
  afterEach(() => temp.remove());

  /**
   * Opening `file` must fail with `errorClass`, naming the file, and leave the file and its WAL
   * byte for byte as they were. A reader may add the -shm index and an empty -wal: neither holds data.
   */
  function expectRefused(errorClass: typeof StoreCorruptError | typeof UnknownSchemaVersionError, file = temp.file) {
    const before = fingerprints(file);
    let error: unknown;
    try {
      new SqliteEventStore(file);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(errorClass);
    expect(error).toMatchObject({ file, message: expect.stringContaining(file) });
    const after = fingerprints(file);
    for (const [name, fingerprint] of Object.entries(after)) {
      if (name.endsWith('-shm') || (name.endsWith('-wal') && !(name in before))) continue;
      expect([name, fingerprint]).toEqual([name, before[name]]);
    }
    expect(Object.keys(after)).toEqual(expect.arrayContaining(Object.keys(before)));
    return error;
  }

  async function storeWithEvents(): Promise<void> {
    const store = new SqliteEventStore(temp.file);
    for (let i = 0; i < 50; i++) await store.append(`job-${i % 5}`, [event('job.step', { i, pad: 'x'.repeat(200) })], { expectedVersion: 'any' });
    await store.close();
  }

  it('refuses a file that is not a SQLite database', () => {
    writeFileSync(temp.file, Buffer.from('this is not a database, but it is somebody\u2019s file\n'.repeat(200)));

    expect(expectRefused(StoreCorruptError)).toMatchObject({ code: 'STORE_CORRUPT' });
  });

  it('refuses a database whose pages are damaged', async () => {
    await storeWithEvents();
    const raw = new Database(temp.file, { readonly: true });
    const pageSize = raw.pragma('page_size', { simple: true }) as number;
    const rootPage = (raw.prepare(`SELECT rootpage FROM sqlite_schema WHERE name = 'events'`).get() as { rootpage: number }).rootpage;
    raw.close();
    const bytes = readFileSync(temp.file);
    bytes.fill(0xa5, (rootPage - 1) * pageSize + 16, rootPage * pageSize - 16);
    writeFileSync(temp.file, bytes);

    expectRefused(StoreCorruptError);
  });

  it("refuses somebody else's SQLite database", () => {
    const raw = new Database(temp.file);
    raw.exec('CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL)');
    raw.close();

    expectRefused(StoreCorruptError);
  });

  it('refuses a store written by an unknown schema version', async () => {
    await storeWithEvents();
    tamper(temp.file, 'PRAGMA user_version = 99');

    expect(expectRefused(UnknownSchemaVersionError)).toMatchObject({ code: 'UNKNOWN_SCHEMA_VERSION', found: 99, supported: SCHEMA_VERSION });
  });

  it('refuses a crashed store of an unknown schema version without checkpointing its WAL into it', async () => {
    const live = new SqliteEventStore(temp.file);
    try {
      await live.append('job-1', [event('a')], { expectedVersion: 'no-stream' });
      tamper(temp.file, 'PRAGMA user_version = 99');
      // A copy taken while the store is open is what a crash leaves: committed pages still in the WAL.
      const crashed = join(temp.dir, 'crashed');
      mkdirSync(crashed);
      for (const suffix of ['', '-wal']) copyFileSync(temp.file + suffix, join(crashed, 'events.db' + suffix));
      expect(statSync(join(crashed, 'events.db-wal')).size).toBeGreaterThan(0);

      expectRefused(UnknownSchemaVersionError, join(crashed, 'events.db'));
    } finally {
      await live.close();
    }
  });

  it('runs with synchronous=FULL unless configured otherwise', async () => {
    const durable = new SqliteEventStore(temp.file);
    expect(durable.synchronous).toBe('FULL');
    await durable.close();
    const relaxed = new SqliteEventStore(temp.file, { synchronous: 'NORMAL' });
    expect(relaxed.synchronous).toBe('NORMAL');
    await relaxed.close();
  });

  it('creates a new file in WAL mode with the current schema version', async () => {
    await new SqliteEventStore(temp.file).close();

    const raw = new Database(temp.file, { readonly: true });
    expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(raw.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    raw.close();
  });

  it('migrates a version-1 file (before snapshots) on open: events, heads and chains kept, snapshots usable', async () => {
    await storeWithEvents();
    tamper(temp.file, 'DROP TABLE snapshots');
    tamper(temp.file, 'PRAGMA user_version = 1');
    const store = new SqliteEventStore(temp.file);
    try {
      expect(await store.readAll()).toHaveLength(50);
      expect(await store.streamVersion('job-0')).toBe(10);
      expect(await store.verify()).toEqual([]);
      const [last] = await store.read('job-0', 10);
      await store.saveSnapshot({ stream: 'job-0', version: 10, hash: last.hash, machineId: 'job', machineVersion: '1', state: null, takenAt: '2026-01-01T00:00:00.000Z' });
      expect((await store.latestSnapshot('job-0'))?.version).toBe(10);
    } finally {
      await store.close();
    }
    const raw = new Database(temp.file, { readonly: true });
    expect(raw.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    raw.close();
  });

  it('refuses a version-1 file that lacks one of its tables, untouched', async () => {
    await storeWithEvents();
    tamper(temp.file, 'DROP TABLE snapshots');
    tamper(temp.file, 'DROP TABLE streams');
    tamper(temp.file, 'PRAGMA user_version = 1');
    expectRefused(StoreCorruptError);
  });
});

describe('SqliteEventStore group commit', () => {
  let temp: ReturnType<typeof tempStoreFile>;
  let store: SqliteEventStore;
  beforeEach(() => {
    temp = tempStoreFile();
    store = new SqliteEventStore(temp.file);
  });
  afterEach(async () => {
    await store.close();
    temp.remove();
  });

  it('commits appends that arrive together, on any streams, in one transaction; a conflict fails alone', async () => {
    await store.append('job-taken', [event('a')], { expectedVersion: 'no-stream' });
    const before = store.stats();

    const outcomes = await Promise.allSettled([
      ...Array.from({ length: 8 }, (_, i) => store.append(`job-${i}`, [event('job.created', { i })], { expectedVersion: 'no-stream' })),
      store.append('job-taken', [event('b')], { expectedVersion: 'no-stream' }),
      store.append('job-0', [event('job.started')], { expectedVersion: 1 }),
      store.append('job-1', [event('job.started')], { expectedVersion: 5 }),
    ]);

    expect(outcomes.map((o) => o.status)).toEqual([...Array(8).fill('fulfilled'), 'rejected', 'fulfilled', 'rejected']);
    for (const o of outcomes) if (o.status === 'rejected') expect(o.reason).toBeInstanceOf(VersionConflictError);
    expect(store.stats()).toEqual({ transactions: before.transactions + 1, appends: before.appends + 9 });
    expect(await store.streamVersion('job-0')).toBe(2);
    expect(await store.streamVersion('job-1')).toBe(1);
    expect(await store.verify()).toEqual([]);
  });

  it('commits appends that wait for each other in separate transactions', async () => {
    for (let i = 0; i < 3; i++) await store.append('job-1', [event('e', { i })], { expectedVersion: i });

    expect(store.stats()).toEqual({ transactions: 3, appends: 3 });
  });

  it('keeps a batch going when one append fails half-way (a tampered log), and that append writes nothing', async () => {
    await store.append('job-1', [event('a')], { expectedVersion: 'no-stream' });
    // The store now believes job-1 is new, but version 2 is taken: a two-event append fails on its second insert.
    tamper(temp.file, `UPDATE events SET version = 2 WHERE stream = 'job-1'`);
    tamper(temp.file, `DELETE FROM streams WHERE stream = 'job-1'`);

    const outcomes = await Promise.allSettled([
      store.append('job-2', [event('b')], { expectedVersion: 'no-stream' }),
      store.append('job-1', [event('forged'), event('forged')], { expectedVersion: 'no-stream' }),
      store.append('job-3', [event('c')], { expectedVersion: 'no-stream' }),
    ]);

    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((await store.readAll()).map((e) => e.type)).toEqual(['a', 'b', 'c']);
    expect(store.stats().transactions).toBe(2);
  });

  /** Every event `store`'s subscription from 0 delivers until it has `count` of them. */
  function delivered(count: number): Promise<RecordedEvent[]> {
    return new Promise((resolve) => {
      const seen: RecordedEvent[] = [];
      const subscription = store.subscribe(0, (e) => {
        seen.push(e);
        if (seen.length === count) void subscription.close().then(() => resolve(seen));
      });
    });
  }

  it('a live subscription gets what was just committed, not the rows of an append that failed in the same batch', async () => {
    await store.append('job-1', [event('a')], { expectedVersion: 'no-stream' });
    const seen = delivered(4);
    tamper(temp.file, `UPDATE events SET version = 2 WHERE stream = 'job-1'`);
    tamper(temp.file, `DELETE FROM streams WHERE stream = 'job-1'`);
    await Promise.allSettled([
      store.append('job-2', [event('b')], { expectedVersion: 'no-stream' }),
      store.append('job-1', [event('forged'), event('forged')], { expectedVersion: 'no-stream' }),
      store.append('job-3', [event('c'), event('d', { n: 1 })], { expectedVersion: 'no-stream' }),
    ]);
    const events = await seen;
    expect(events.map((e) => `${e.position}:${e.type}`)).toEqual(['1:a', '2:b', '3:c', '4:d']);
    expect(events.slice(1)).toEqual(await store.readAll(1));
  });

  it('a live subscription gets an event that carried its canonical text as that event, not decoded again; others decoded from the row', async () => {
    const seen = delivered(2);
    const own = canonicalEvent('step', { n: 1 }, { value: 'filling', context: { n: 1 } }, { at: '2026-01-01T00:00:00.000Z' });
    await Promise.all([store.append('job-1', [own], { expectedVersion: 'no-stream' }), store.append('job-2', [event('plain', { n: 2 })], { expectedVersion: 'no-stream' })]);
    const [first, second] = await seen;
    expect(first.stateAfter).toBe(own.stateAfter);
    expect(first.data).toBe(own.data);
    expect(first.meta).toBe(own.meta);
    expect(second.data).toEqual({ n: 2 });
    expect([first, second]).toEqual(await store.readAll());
  });

  it('a live subscription misses nothing another connection appended to the same file between its commits', async () => {
    const other = new SqliteEventStore(temp.file);
    try {
      const seen = delivered(6);
      await store.append('job-1', [event('mine-1')], { expectedVersion: 'no-stream' });
      await other.append('job-2', [event('theirs-1'), event('theirs-2')], { expectedVersion: 'no-stream' });
      await store.append('job-1', [event('mine-2')], { expectedVersion: 1 });
      await other.append('job-2', [event('theirs-3')], { expectedVersion: 2 });
      await store.append('job-1', [event('mine-3')], { expectedVersion: 2 });
      expect((await seen).map((e) => `${e.position}:${e.type}`)).toEqual(['1:mine-1', '2:theirs-1', '3:theirs-2', '4:mine-2', '5:theirs-3', '6:mine-3']);
    } finally {
      await other.close();
    }
  });

  it('without group commit, every append is its own transaction', async () => {
    const naiveTemp = tempStoreFile();
    const naive = new SqliteEventStore(naiveTemp.file, { groupCommit: false });
    try {
      await Promise.all(Array.from({ length: 5 }, (_, i) => naive.append(`job-${i}`, [event('e')], { expectedVersion: 'no-stream' })));
      expect(naive.stats()).toEqual({ transactions: 5, appends: 5 });
    } finally {
      await naive.close();
      naiveTemp.remove();
    }
  });

  it('close() commits what is still queued', async () => {
    const queued = store.append('job-1', [event('last words')], { expectedVersion: 'no-stream' });
    await store.close();
    await expect(queued).resolves.toMatchObject({ version: 1 });

    store = new SqliteEventStore(temp.file);
    expect((await store.read('job-1')).map((e) => e.type)).toEqual(['last words']);
  });
});
