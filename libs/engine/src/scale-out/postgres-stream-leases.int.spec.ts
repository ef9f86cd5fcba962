// The lease table on a throwaway PostgreSQL cluster: concurrent claims never hand one stream to
// two workers, an expired lease is claimed by another worker, renewal keeps only live leases,
// a done job is never claimed again, and the global limit caps what all workers hold.
import { startPostgresCluster, type PostgresCluster } from '@engine/event-store/testing';
import { PostgresStreamLeases } from './postgres-stream-leases';

jest.setTimeout(120_000);

describe('PostgresStreamLeases', () => {
  let cluster: PostgresCluster;
  const opened: PostgresStreamLeases[] = [];

  beforeAll(async () => {
    cluster = await startPostgresCluster();
  });

  afterAll(async () => {
    await Promise.all(opened.map((l) => l.close()));
    await cluster?.stop();
  });

  async function workers(url: string, ttlMs: number, ids: string[]): Promise<PostgresStreamLeases[]> {
    const list = ids.map((workerId) => new PostgresStreamLeases(url, { workerId, ttlMs }));
    opened.push(...list);
    await Promise.all(list.map((l) => l.ensureSchema()));
    await Promise.all(list.map((l) => l.register()));
    return list;
  }

  const jobs = (n: number, portal = 'p') => Array.from({ length: n }, (_, i) => ({ stream: `job-${String(i).padStart(3, '0')}`, portal }));

  it('hands every stream to exactly one of several workers claiming at once', async () => {
    const url = await cluster.createDatabase();
    const [a, b, c] = await workers(url, 30_000, ['a', 'b', 'c']);
    await a.add('job', jobs(60));
    await b.add('job', jobs(60)); // a second writer of the same rows changes nothing
    const claims = await Promise.all([a, b, c].flatMap((w) => [w.claimJobs(['p'], 10), w.claimJobs(['p'], 10)]));
    const streams = claims.flat().map((l) => l.stream);
    expect(streams).toHaveLength(60);
    expect(new Set(streams).size).toBe(60);
    expect(await a.claimJobs(['p'], 10)).toEqual([]);
    expect(await a.claimJobs(['other'], 10)).toEqual([]);
  });

  it('gives an expired lease to the next claimer, and its old holder no longer renews it', async () => {
    const url = await cluster.createDatabase();
    const [a, b] = await workers(url, 300, ['a', 'b']);
    await a.add('master', [{ stream: 'master-p', portal: 'p' }]);
    expect((await a.claimMasters(1)).map((l) => l.stream)).toEqual(['master-p']);
    expect(await b.claimMasters(1)).toEqual([]);
    expect((await a.renew(['master-p'])).has('master-p')).toBe(true);
    await new Promise((r) => setTimeout(r, 400));
    // A new holder, a higher fencing token.
    expect(await b.claimMasters(1)).toEqual([{ stream: 'master-p', portal: 'p', inboxVersion: 0, fence: 2 }]);
    expect((await a.renew(['master-p'])).has('master-p')).toBe(false);
    expect(await b.holders('master')).toEqual([{ stream: 'master-p', owner: 'b', portal: 'p', done: false }]);
  });

  it('claims oldest first, never claims a job released as done; a job given back is claimed again with its inbox mark', async () => {
    const url = await cluster.createDatabase();
    const [a, b] = await workers(url, 30_000, ['a', 'b']);
    await a.add('job', jobs(2));
    const [first, second] = await a.claimJobs(['p'], 2);
    expect([first.stream, second.stream]).toEqual(['job-000', 'job-001']); // oldest first
    await a.markInboxApplied(second.stream, 3, second.fence);
    await a.release([first.stream], true);
    await a.release([second.stream], false);
    await a.add('job', jobs(2)); // a late sighting of the finished job does not revive it
    expect(await b.claimJobs(['p'], 5)).toEqual([{ stream: second.stream, portal: 'p', inboxVersion: 3, fence: 2 }]);
  });

  it('with a global limit, all workers together hold at most that many job leases', async () => {
    const url = await cluster.createDatabase();
    const [a, b] = await workers(url, 30_000, ['a', 'b']);
    await a.add('job', jobs(20));
    const [fromA, fromB] = await Promise.all([a.claimJobs(['p'], 10, 6), b.claimJobs(['p'], 10, 6)]);
    expect(fromA.length + fromB.length).toBe(6);
    await a.release(fromA.map((l) => l.stream), true);
    expect((await a.claimJobs(['p'], 10, 6)).length).toBe(fromA.length);
  });
});
