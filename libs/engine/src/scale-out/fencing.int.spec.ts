// Fencing tokens on a throwaway PostgreSQL cluster: every claim of a stream bumps its token; the
// event store refuses, inside the append's transaction, an append carrying a token that is no
// longer the lease's current one (alone: the rest of its batch lands); a claim never overtakes
// an append in flight; `confirm` answers from the lease table; a stale holder cannot move the
// inbox mark.
import { Client } from 'pg';
import { FencedOffError, type NewEvent } from '@engine/core';
import { PostgresEventStore } from '@engine/event-store';
import { holdCommitsOf, startPostgresCluster, type PostgresCluster } from '@engine/event-store/testing';
import { PostgresStreamLeases } from './postgres-stream-leases';

jest.setTimeout(120_000);

const event = (n: number): NewEvent => ({ type: 'noted', data: { n }, stateAfter: { value: 'x' }, meta: { at: new Date(0).toISOString() } });
const expire = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('fencing tokens', () => {
  let cluster: PostgresCluster;
  const closers: Array<() => Promise<void>> = [];

  beforeAll(async () => {
    cluster = await startPostgresCluster();
  });

  afterAll(async () => {
    for (const close of closers.reverse()) await close();
    await cluster?.stop();
  });

  /**
   * Two workers on one lease table. `a`'s lease is short so a test can let it lapse; `b`'s may be
   * long, so that on a loaded machine the new holder's lease cannot lapse between two statements.
   */
  async function setup(ttlMs: number, ttlMsOfB = ttlMs) {
    const url = await cluster.createDatabase();
    const a = new PostgresStreamLeases(url, { workerId: 'a', ttlMs });
    const b = new PostgresStreamLeases(url, { workerId: 'b', ttlMs: ttlMsOfB });
    const store = await PostgresEventStore.open(url, { poolSize: 4 });
    closers.push(() => a.close(), () => b.close(), () => store.close());
    await a.ensureSchema();
    await a.add('master', [{ stream: 'master-p', portal: 'p' }]);
    return { url, a, b, store };
  }

  it('refuses the old holder’s append after a new claim, atomically and alone in its batch', async () => {
    const { a, b, store } = await setup(300, 60_000);
    const [first] = await a.claimMasters(1);
    expect(first.fence).toBe(1);
    await store.append('master-p', [event(1)], { expectedVersion: 'no-stream', fence: first.fence });
    await expire(400);
    const [second] = await b.claimMasters(1);
    expect(second.fence).toBe(2);

    // Queued together, so group commit puts them in one transaction.
    const [stale, other, current] = await Promise.allSettled([
      store.append('master-p', [event(2), event(3)], { expectedVersion: 1, fence: first.fence }),
      store.append('job-unleased', [event(1)], { expectedVersion: 'no-stream' }),
      store.append('master-p', [event(4)], { expectedVersion: 1, fence: second.fence }),
    ]);
    expect(stale.status).toBe('rejected');
    const error = (stale as PromiseRejectedResult).reason;
    expect(error).toBeInstanceOf(FencedOffError);
    expect(error).toMatchObject({ code: 'FENCED_OFF', stream: 'master-p', token: 1, current: 2 });
    expect(other.status).toBe('fulfilled');
    expect(current.status).toBe('fulfilled');
    expect((await store.read('master-p')).map((e) => e.data)).toEqual([{ n: 1 }, { n: 4 }]);
    // A token from the future (or a stream without a lease row) is no more current than an old one.
    await expect(store.append('master-p', [event(5)], { expectedVersion: 2, fence: 3 })).rejects.toMatchObject({ code: 'FENCED_OFF', current: 2 });
    await expect(store.append('master-none', [event(1)], { expectedVersion: 'no-stream', fence: 1 })).rejects.toMatchObject({ code: 'FENCED_OFF', current: null });
  });

  it('a claim waits for an append in flight of the old holder: the new holder reads the log after it', async () => {
    const { url, a, b, store } = await setup(300, 60_000);
    const [first] = await a.claimMasters(1);
    const LOCK = 0x7e57f3;
    await holdCommitsOf(url, 'master-p', LOCK);
    const gate = new Client({ connectionString: url });
    await gate.connect();
    closers.push(() => gate.end());
    await gate.query('SELECT pg_advisory_lock($1)', [LOCK]);
    // The old holder's append has passed its fence check and now waits at COMMIT.
    const inFlight = store.append('master-p', [event(1)], { expectedVersion: 'no-stream', fence: first.fence });
    await expire(400); // the lease has expired
    const deadline = Date.now() + 30_000;
    while ((await gate.query(`SELECT count(*) AS n FROM pg_locks WHERE locktype = 'advisory' AND NOT granted`)).rows[0].n === '0' && Date.now() < deadline) await expire(20);
    expect(await b.claimMasters(1)).toEqual([]); // the row is locked by the append: skipped, not stolen
    await gate.query('SELECT pg_advisory_unlock($1)', [LOCK]);
    await inFlight;
    const [second] = await b.claimMasters(1);
    expect(second).toMatchObject({ stream: 'master-p', fence: 2 });
    expect(await store.streamVersion('master-p')).toBe(1);
  });

  it('confirm answers from the lease table, and a stale holder cannot move the inbox mark', async () => {
    const { a, b } = await setup(300, 60_000);
    const [first] = await a.claimMasters(1);
    expect(await a.confirm('master-p', first.fence)).toEqual({ held: true, current: 1 });
    await expire(400);
    expect(await a.confirm('master-p', first.fence)).toEqual({ held: false, current: 1 }); // expired, even before anyone claims
    const [second] = await b.claimMasters(1);
    expect(await a.confirm('master-p', first.fence)).toEqual({ held: false, current: 2 });
    expect(await b.confirm('master-p', second.fence)).toEqual({ held: true, current: 2 });
    await a.markInboxApplied('master-p', 5, first.fence);
    await b.markInboxApplied('master-p', 2, second.fence);
    await b.release(['master-p'], false);
    expect((await a.claimMasters(1))[0]).toMatchObject({ inboxVersion: 2, fence: 3 });
  });

  it('adds the token to a lease table from before fencing, keeping its rows', async () => {
    const url = await cluster.createDatabase();
    const admin = new Client({ connectionString: url });
    await admin.connect();
    closers.push(() => admin.end());
    await admin.query(`CREATE TABLE stream_leases (
      stream text PRIMARY KEY, kind text NOT NULL, portal text, seq bigint GENERATED ALWAYS AS IDENTITY,
      owner text, expires_at timestamptz, done boolean NOT NULL DEFAULT false, inbox_version integer NOT NULL DEFAULT 0)`);
    await admin.query(`INSERT INTO stream_leases (stream, kind, portal, inbox_version) VALUES ('master-p', 'master', 'p', 4)`);
    const leases = new PostgresStreamLeases(url, { workerId: 'a', ttlMs: 30_000 });
    closers.push(() => leases.close());
    await leases.ensureSchema();
    await leases.ensureSchema(); // a second worker starting finds it done
    expect(await leases.claimMasters(1)).toEqual([{ stream: 'master-p', portal: 'p', inboxVersion: 4, fence: 1 }]);
  });
});
