// The PostgreSQL adapter against a throwaway cluster (one per file, a fresh database per test):
// the JobIndex contract, in the database the event store uses.
import { PostgresEventStore } from '@engine/event-store';
import { startPostgresCluster, tamperPostgres, type PostgresCluster } from '@engine/event-store/testing';
import { describeJobIndexConformance } from './conformance/job-index.conformance';
import { PostgresJobIndex } from './postgres-job-index';

jest.setTimeout(60_000);

let cluster: PostgresCluster;
beforeAll(async () => {
  cluster = await startPostgresCluster();
}, 120_000);
afterAll(() => cluster?.stop());

describeJobIndexConformance(
  'PostgresJobIndex',
  async () => {
    const url = await cluster.createDatabase();
    const store = await PostgresEventStore.open(url, { poolSize: 2 });
    const opened = [await PostgresJobIndex.open(url)];
    return {
      index: opened[0],
      reopen: async () => {
        opened.push(await PostgresJobIndex.open(url));
        return opened[opened.length - 1];
      },
      dispose: async () => {
        for (const index of opened) await index.close().catch(() => undefined);
        await store.close();
      },
    };
  },
  { persistent: true },
);

describe('PostgresJobIndex schema', () => {
  it('drops an index of another schema version, so the projection rebuilds it', async () => {
    const url = await cluster.createDatabase();
    const first = await PostgresJobIndex.open(url);
    await first.write([{ jobId: 'x', portal: 'p', state: 'pending', businessKey: 'k', externalId: null, failureKind: null, createdAt: '', finishedAt: null, version: 1, position: 1 }], 1);
    await first.close();
    await tamperPostgres(url, 'UPDATE job_index_meta SET schema_version = 999');
    const second = await PostgresJobIndex.open(url);
    expect(await second.position()).toBeNull();
    expect(await second.search({ limit: 5 })).toEqual([]);
    await second.close();
  });
});
