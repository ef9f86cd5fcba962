// The PostgreSQL adapter against a throwaway cluster (one per file, a fresh database per test):
// the conformance suite, then what only the shared store has to promise — positions that
// readers never see out of order while writers commit concurrently, schema checks, group
// commit, and a connection string that never shows its password.
import { Client } from 'pg';
import { StoreCorruptError, UnknownSchemaVersionError, VersionConflictError, type NewEvent, type RecordedEvent } from '@engine/core';
import { describeEventStoreConformance } from './conformance/event-store.conformance';
import { openEventStore, openEventStoreAsync } from './open-event-store';
import { PostgresEventStore, type PostgresEventStoreOptions } from './postgres-event-store';
import { POSTGRES_SCHEMA_VERSION } from './postgres-schema';
import { startPostgresCluster, type PostgresCluster } from './testing/postgres-cluster';
import { delayCommitsRandomly, holdCommitsOf } from './testing/postgres-commit-delay';
import { postgresFixture, tamperPostgres } from './testing/postgres-fixture';

// The int project's testTimeout does not reach these tests (jest falls back to 5 s), and a
// loaded machine needs more for a cluster's worth of databases.
jest.setTimeout(60_000);

let cluster: PostgresCluster;
beforeAll(async () => {
  cluster = await startPostgresCluster();
}, 120_000);
afterAll(() => cluster?.stop());

describeEventStoreConformance('PostgresEventStore', () => postgresFixture(cluster));

const event = (type: string, data: unknown = {}): NewEvent => ({ type, data, stateAfter: null, meta: { at: '2026-01-01T00:00:00.000Z' } });

/** Collects what a subscription delivers, and lets the test await a count. */
function collector(store: PostgresEventStore, fromPosition = 0) {
  const events: RecordedEvent[] = [];
  const waiters: Array<{ n: number; resolve: () => void }> = [];
  const subscription = store.subscribe(fromPosition, (e) => {
    events.push(e);
    for (const w of waiters.filter((w) => events.length >= w.n)) w.resolve();
  });
  const until = (n: number) => (events.length >= n ? Promise.resolve() : new Promise<void>((resolve) => waiters.push({ n, resolve })));
  return { events, subscription, until };
}

function expectStrictlyIncreasing(positions: number[]): void {
  for (let i = 1; i < positions.length; i++) expect([i, positions[i] > positions[i - 1]]).toEqual([i, true]);
}

describe('PostgresEventStore global order under concurrent commits', () => {
  const opened: PostgresEventStore[] = [];
  const open = async (url: string, options: PostgresEventStoreOptions = {}) => {
    const store = await PostgresEventStore.open(url, options);
    opened.push(store);
    return store;
  };
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((s) => s.close()));
  });

  it('hides a later position that committed first until the earlier one commits, then delivers both in order', async () => {
    const url = await cluster.createDatabase();
    const writer = await open(url, { writeConcurrency: 2 });
    const reader = await open(url, { pollIntervalMs: 20 });
    await writer.append('job-0', [event('before')], { expectedVersion: 'no-stream' });
    const HOLD = 4242;
    await holdCommitsOf(url, 'job-slow', HOLD);
    const seen = collector(reader);
    await seen.until(1);

    const gate = new Client({ connectionString: url });
    await gate.connect();
    try {
      await gate.query('SELECT pg_advisory_lock($1)', [HOLD]);
      const slow = writer.append('job-slow', [event('slow')], { expectedVersion: 'no-stream' });
      // The slow transaction has taken its position once its row is visible to a dirty look at the sequence.
      await waitFor(async () => Number((await gate.query(`SELECT last_value FROM events_position_seq`)).rows[0].last_value) >= 2);
      const fast = await writer.append('job-fast', [event('fast')], { expectedVersion: 'no-stream' });

      // The race is real: the later position is committed while the earlier one is not.
      const committed = (await gate.query('SELECT position, stream FROM events ORDER BY position')).rows.map((r) => r.stream);
      expect(committed).toEqual(['job-0', 'job-fast']);
      // ...and no reader sees it yet, since a reader at `fast` would skip `slow` forever.
      expect((await reader.readAll()).map((e) => e.stream)).toEqual(['job-0']);
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(seen.events.map((e) => e.stream)).toEqual(['job-0']);

      await gate.query('SELECT pg_advisory_unlock($1)', [HOLD]);
      const slowResult = await slow;
      expect(slowResult.position).toBeLessThan(fast.position);
      await seen.until(3);
      expect(seen.events.map((e) => e.stream)).toEqual(['job-0', 'job-slow', 'job-fast']);
      expect((await reader.readAll()).map((e) => e.position)).toEqual(seen.events.map((e) => e.position));
    } finally {
      await gate.end();
      await seen.subscription.close();
    }
  });

  it('many writers in several processes, commits delayed at random: every reader gets every event once, in position order', async () => {
    const url = await cluster.createDatabase();
    await open(url);
    await delayCommitsRandomly(url, 15);
    // Four stores stand for four processes; without group commit each append is its own transaction.
    const writers = await Promise.all(range(4).map(() => open(url, { groupCommit: false, poolSize: 6 })));
    const reader = await open(url, { pollIntervalMs: 50 });
    const subscribed = collector(reader);
    const polled: RecordedEvent[] = [];
    let writing = true;
    const poller = (async () => {
      for (let idle = 0; writing || idle < 2; ) {
        const page = await reader.readAll(polled.at(-1)?.position ?? 0, 25);
        polled.push(...page);
        idle = !writing && page.length === 0 ? idle + 1 : 0;
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 5));
      }
    })();

    const PER_WRITER = 12;
    await Promise.all(
      writers.flatMap((store, w) =>
        range(6).map(async (k) => {
          for (let n = 0; n < PER_WRITER; n++) {
            const events = range(1 + (n % 3)).map((i) => event('job.step', { w, k, n, i }));
            await store.append(`job-${w}-${k}`, events, { expectedVersion: n === 0 ? 'no-stream' : 'any' });
          }
        }),
      ),
    );
    writing = false;
    await poller;

    const all = await reader.readAll();
    expect(all).toHaveLength(4 * 6 * (4 + 4 * 2 + 4 * 3));
    // Bounded, so a reader that skipped an event fails the comparison below instead of timing out.
    await Promise.race([subscribed.until(all.length), new Promise((resolve) => setTimeout(resolve, 10_000))]);
    await subscribed.subscription.close();
    for (const seen of [subscribed.events, polled]) {
      expectStrictlyIncreasing(seen.map((e) => e.position));
      expect(seen.map((e) => e.position)).toEqual(all.map((e) => e.position));
    }
    expect(await reader.verify()).toEqual([]);
  });
});

describe('PostgresEventStore subscriptions when wake-ups go missing', () => {
  const opened: PostgresEventStore[] = [];
  const open = async (url: string, options: PostgresEventStoreOptions = {}) => {
    const store = await PostgresEventStore.open(url, options);
    opened.push(store);
    return store;
  };
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((s) => s.close()));
  });

  it('an unrelated transaction holding the horizon delays delivery; its end (which notifies nobody) is noticed by the poll', async () => {
    const url = await cluster.createDatabase();
    const writer = await open(url);
    const reader = await open(url, { pollIntervalMs: 50 });
    const seen = collector(reader);
    const other = new Client({ connectionString: url });
    await other.connect();
    try {
      await other.query('BEGIN');
      await other.query('SELECT pg_current_xact_id()');
      await writer.append('job-1', [event('a')], { expectedVersion: 'no-stream' });
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(seen.events).toEqual([]);

      await other.query('COMMIT');
      await Promise.race([seen.until(1), new Promise((resolve) => setTimeout(resolve, 10_000))]);
      expect(seen.events.map((e) => e.type)).toEqual(['a']);
    } finally {
      await other.end();
      await seen.subscription.close();
    }
  });

  it('a dropped listener connection reconnects, and nothing committed meanwhile is lost', async () => {
    const url = await cluster.createDatabase();
    const writer = await open(url);
    const reader = await open(url, { pollIntervalMs: 60_000 });
    const seen = collector(reader);
    const raw = new Client({ connectionString: url });
    await raw.connect();
    const listeners = async () =>
      (await raw.query(`SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND query = 'LISTEN event_store_commits'`)).rows.map((r) => r.pid as number);
    try {
      await waitFor(async () => (await listeners()).length === 1);
      const [first] = await listeners();
      const warnings: string[] = [];
      const onWarning = (warning: Error) => warnings.push(warning.message);
      process.on('warning', onWarning);
      await raw.query('SELECT pg_terminate_backend($1)', [first]);
      await writer.append('job-1', [event('while away')], { expectedVersion: 'no-stream' });
      await waitFor(async () => {
        const now = await listeners();
        return now.length === 1 && now[0] !== first;
      });
      process.off('warning', onWarning);
      await Promise.race([seen.until(1), new Promise((resolve) => setTimeout(resolve, 10_000))]);
      expect(seen.events.map((e) => e.type)).toEqual(['while away']);
      expect(warnings.join('\n')).not.toContain(decodeURIComponent(new URL(url).password));

      await writer.append('job-1', [event('after')], { expectedVersion: 1 });
      await Promise.race([seen.until(2), new Promise((resolve) => setTimeout(resolve, 10_000))]);
      expect(seen.events.map((e) => e.type)).toEqual(['while away', 'after']);
    } finally {
      await raw.end();
      await seen.subscription.close();
    }
  });
});

describe('PostgresEventStore schema', () => {
  it('creates its tables in an empty database, and a second process opening it at the same time finds them', async () => {
    const url = await cluster.createDatabase();
    const [a, b] = await Promise.all([PostgresEventStore.open(url), PostgresEventStore.open(url)]);
    try {
      await a.append('job-1', [event('a')], { expectedVersion: 'no-stream' });
      expect((await b.read('job-1')).map((e) => e.type)).toEqual(['a']);
      const raw = new Client({ connectionString: url });
      await raw.connect();
      const version = (await raw.query('SELECT version FROM event_store_schema')).rows;
      await raw.end();
      expect(version).toEqual([{ version: POSTGRES_SCHEMA_VERSION }]);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('migrates a version-1 database (before snapshots) on open, keeping its events', async () => {
    const url = await cluster.createDatabase();
    const first = await PostgresEventStore.open(url);
    await first.append('job-1', [event('a'), event('b')], { expectedVersion: 'no-stream' });
    await first.close();
    await tamperPostgres(url, 'DROP TABLE snapshots');
    await tamperPostgres(url, 'UPDATE event_store_schema SET version = 1');

    const store = await PostgresEventStore.open(url);
    try {
      const events = await store.read('job-1');
      expect(events.map((e) => e.type)).toEqual(['a', 'b']);
      expect(await store.verify()).toEqual([]);
      await store.saveSnapshot({ stream: 'job-1', version: 2, hash: events[1].hash, machineId: 'job', machineVersion: '1', state: null, takenAt: '2026-01-01T00:00:00.000Z' });
      expect((await store.latestSnapshot('job-1'))?.version).toBe(2);
    } finally {
      await store.close();
    }
    const raw = new Client({ connectionString: url });
    await raw.connect();
    const version = (await raw.query('SELECT version FROM event_store_schema')).rows;
    await raw.end();
    expect(version).toEqual([{ version: POSTGRES_SCHEMA_VERSION }]);
  });

  it('refuses a database written by an unknown schema version, naming it without its password', async () => {
    const url = await cluster.createDatabase();
    await (await PostgresEventStore.open(url)).close();
    await tamperPostgres(url, 'UPDATE event_store_schema SET version = 99');

    const error = await PostgresEventStore.open(url).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnknownSchemaVersionError);
    expect(error).toMatchObject({ code: 'UNKNOWN_SCHEMA_VERSION', found: 99, supported: POSTGRES_SCHEMA_VERSION });
    const password = decodeURIComponent(new URL(url).password);
    expect((error as Error).message).toContain(new URL(url).pathname);
    expect((error as Error).message).not.toContain(password);
    expect(JSON.stringify((error as UnknownSchemaVersionError).details)).not.toContain(password);
  });

  it("refuses someone else's events table and leaves it alone", async () => {
    const url = await cluster.createDatabase();
    await tamperPostgres(url, 'CREATE TABLE events (id serial PRIMARY KEY, what text)');
    await tamperPostgres(url, "INSERT INTO events (what) VALUES ('theirs')");

    await expect(PostgresEventStore.open(url)).rejects.toBeInstanceOf(StoreCorruptError);
    const raw = new Client({ connectionString: url });
    await raw.connect();
    const rows = (await raw.query('SELECT what FROM events')).rows;
    await raw.end();
    expect(rows).toEqual([{ what: 'theirs' }]);
  });

  it('shares a database with other tables (the scheduler keeps its own there)', async () => {
    const url = await cluster.createDatabase();
    await tamperPostgres(url, 'CREATE TABLE leases (stream text PRIMARY KEY)');
    const store = await PostgresEventStore.open(url);
    try {
      expect(await store.append('job-1', [event('a')], { expectedVersion: 'no-stream' })).toMatchObject({ version: 1 });
    } finally {
      await store.close();
    }
  });

  it('says where it is without the password', async () => {
    const url = await cluster.createDatabase();
    const store = await PostgresEventStore.open(url);
    await store.close();

    expect(new URL(url).password.length).toBeGreaterThan(0);
    expect(store.location).not.toContain(decodeURIComponent(new URL(url).password));
    expect(store.location).toContain(`@127.0.0.1:${new URL(url).port}${new URL(url).pathname}`);
  });
});

describe('PostgresEventStore group commit and several processes', () => {
  const opened: PostgresEventStore[] = [];
  const open = async (url: string, options: PostgresEventStoreOptions = {}) => {
    const store = await PostgresEventStore.open(url, options);
    opened.push(store);
    return store;
  };
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((s) => s.close()));
  });

  it('commits appends that arrive together, on any streams, in one transaction; a conflict fails alone', async () => {
    const store = await open(await cluster.createDatabase(), { writeConcurrency: 1 });
    await store.append('job-taken', [event('a')], { expectedVersion: 'no-stream' });
    const before = store.stats();

    const outcomes = await Promise.allSettled([
      ...range(8).map((i) => store.append(`job-${i}`, [event('job.created', { i })], { expectedVersion: 'no-stream' })),
      store.append('job-taken', [event('b')], { expectedVersion: 'no-stream' }),
      store.append('job-0', [event('job.started')], { expectedVersion: 1 }),
      store.append('job-1', [event('job.started')], { expectedVersion: 5 }),
    ]);

    expect(outcomes.map((o) => o.status)).toEqual([...Array(8).fill('fulfilled'), 'rejected', 'fulfilled', 'rejected']);
    for (const o of outcomes) if (o.status === 'rejected') expect(o.reason).toBeInstanceOf(VersionConflictError);
    expect(store.stats()).toEqual({ transactions: before.transactions + 1, appends: before.appends + 9 });
    expect(await store.streamVersion('job-0')).toBe(2);
    expect(await store.verify()).toEqual([]);
  });

  it('without group commit, every append is its own transaction', async () => {
    const store = await open(await cluster.createDatabase(), { groupCommit: false });
    await Promise.all(range(5).map((i) => store.append(`job-${i}`, [event('e')], { expectedVersion: 'no-stream' })));

    expect(store.stats()).toEqual({ transactions: 5, appends: 5 });
  });

  it('two processes creating the same streams at once: one wins each, the other gets a VersionConflictError', async () => {
    const url = await cluster.createDatabase();
    const [a, b] = await Promise.all([open(url), open(url)]);
    for (let round = 0; round < 10; round++) {
      const outcomes = await Promise.allSettled([a, b].map((store, who) => store.append(`job-${round}`, [event('job.claimed', { who })], { expectedVersion: 'no-stream' })));
      expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
      const [lost] = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
      expect(lost.reason).toBeInstanceOf(VersionConflictError);
    }
    expect(await a.verify()).toEqual([]);
  });

  it("wakes another process's subscription through NOTIFY, long before its fallback poll", async () => {
    const url = await cluster.createDatabase();
    const writer = await open(url);
    const reader = await open(url, { pollIntervalMs: 60_000 });
    const seen = collector(reader);
    const raw = new Client({ connectionString: url });
    await raw.connect();
    const listening = async () =>
      (await raw.query(`SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND query = 'LISTEN event_store_commits'`)).rows.length === 1;
    await waitFor(listening).finally(() => raw.end());

    await writer.append('job-1', [event('a')], { expectedVersion: 'no-stream' });
    await Promise.race([seen.until(1), new Promise((resolve) => setTimeout(resolve, 10_000))]);
    await seen.subscription.close();

    expect(seen.events.map((e) => e.type)).toEqual(['a']);
  });

  it('close() commits what is still queued', async () => {
    const url = await cluster.createDatabase();
    const store = await PostgresEventStore.open(url);
    const queued = store.append('job-1', [event('last words')], { expectedVersion: 'no-stream' });
    await store.close();
    await expect(queued).resolves.toMatchObject({ version: 1 });

    const reopened = await open(url);
    expect((await reopened.read('job-1')).map((e) => e.type)).toEqual(['last words']);
  });
});

describe('openEventStore with a postgres:// URL', () => {
  it('returns a PostgreSQL store at once that connects in the background; calls wait for it', async () => {
    const url = await cluster.createDatabase();
    const store = openEventStore(url);
    try {
      expect(store).toBeInstanceOf(PostgresEventStore);
      await store.append('job-1', [event('a')], { expectedVersion: 'no-stream' });
      expect((await store.read('job-1')).map((e) => e.type)).toEqual(['a']);
    } finally {
      await store.close();
    }
  });

  it('surfaces a schema problem on the first call, or at once through openEventStoreAsync', async () => {
    const url = await cluster.createDatabase();
    await (await openEventStoreAsync(url)).close();
    await tamperPostgres(url, 'UPDATE event_store_schema SET version = 99');

    await expect(openEventStoreAsync(url)).rejects.toBeInstanceOf(UnknownSchemaVersionError);
    const lazy = openEventStore(url.replace(/^postgres:/, 'postgresql:'));
    try {
      await expect(lazy.append('job-1', [event('a')], { expectedVersion: 'no-stream' })).rejects.toBeInstanceOf(UnknownSchemaVersionError);
      await expect(lazy.readAll()).rejects.toMatchObject({ code: 'UNKNOWN_SCHEMA_VERSION' });
    } finally {
      await lazy.close();
    }
  });
});

async function waitFor(condition: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}
