// The SQLite adapter in real event-store files: the JobIndex contract, then what only the
// tables in the store's file have to promise — they need the store's file, they leave the store
// as it was, and an index of another schema version is dropped for a rebuild.
import Database from 'better-sqlite3';
import { existsSync } from 'node:fs';
import { SqliteEventStore } from '@engine/event-store';
import { tamper, tempStoreFile } from '@engine/event-store/testing';
import { describeJobIndexConformance } from './conformance/job-index.conformance';
import { SqliteJobIndex } from './sqlite-job-index';

async function storeFile() {
  const temp = tempStoreFile();
  const store = new SqliteEventStore(temp.file);
  await store.append('job-x', [{ type: 'actor.started', data: {}, stateAfter: null, meta: { at: '2026-03-01T00:00:00.000Z' } }], { expectedVersion: 'no-stream' });
  return { ...temp, store };
}

describeJobIndexConformance(
  'SqliteJobIndex',
  async () => {
    const temp = await storeFile();
    const opened = [new SqliteJobIndex(temp.file)];
    return {
      index: opened[0],
      reopen: async () => {
        opened.push(new SqliteJobIndex(temp.file));
        return opened[opened.length - 1];
      },
      dispose: async () => {
        await Promise.all(opened.map((index) => index.close()));
        await temp.store.close();
        temp.remove();
      },
    };
  },
  { persistent: true },
);

describe('SqliteJobIndex in the store file', () => {
  it('refuses a file that does not exist or holds no event store, creating nothing', () => {
    const temp = tempStoreFile();
    try {
      expect(() => new SqliteJobIndex(temp.file)).toThrow(expect.objectContaining({ code: 'JOB_INDEX_NO_STORE' }));
      expect(existsSync(temp.file)).toBe(false);
      new Database(temp.file).exec('CREATE TABLE other (a)');
      expect(() => new SqliteJobIndex(temp.file)).toThrow(expect.objectContaining({ code: 'JOB_INDEX_NO_STORE' }));
    } finally {
      temp.remove();
    }
  });

  it('lives beside the events: the store reopens, verifies and appends as before', async () => {
    const temp = await storeFile();
    try {
      const index = new SqliteJobIndex(temp.file);
      await index.write([{ jobId: 'x', portal: 'p', state: 'pending', businessKey: 'k', externalId: null, failureKind: null, createdAt: '', finishedAt: null, version: 1, position: 1 }], 1);
      await temp.store.close();
      const reopened = new SqliteEventStore(temp.file);
      expect(await reopened.verify()).toEqual([]);
      await reopened.append('job-x', [{ type: 'more', data: {}, stateAfter: null, meta: { at: '2026-03-01T00:00:01.000Z' } }], { expectedVersion: 1 });
      expect((await index.search({ limit: 5 })).map((r) => r.jobId)).toEqual(['x']);
      await index.close();
      await reopened.close();
    } finally {
      temp.remove();
    }
  });

  it('drops an index of another schema version, so the projection rebuilds it', async () => {
    const temp = await storeFile();
    try {
      const first = new SqliteJobIndex(temp.file);
      await first.write([{ jobId: 'x', portal: 'p', state: 'pending', businessKey: 'k', externalId: null, failureKind: null, createdAt: '', finishedAt: null, version: 1, position: 1 }], 1);
      await first.close();
      tamper(temp.file, 'UPDATE job_index_meta SET schema_version = 999');
      const second = new SqliteJobIndex(temp.file);
      expect(await second.position()).toBeNull();
      expect(await second.search({ limit: 5 })).toEqual([]);
      await second.close();
    } finally {
      await temp.store.close();
      temp.remove();
    }
  });
});
