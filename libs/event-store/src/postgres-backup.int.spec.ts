// The PostgreSQL backup procedure README.md documents, run for real: pg_dump of a live store,
// pg_restore into a database of ANOTHER, fresh cluster (a restore onto a new server), and the
// restored store reads, verifies, is subscribed to from the start and takes new appends.
// A fresh cluster's transaction counter is behind the source's, so the restored rows carry
// transaction ids "from the future" there; the store must still treat them as committed.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import type { RecordedEvent } from '@engine/core';
import { PostgresEventStore } from './postgres-event-store';
import { startPostgresCluster, type PostgresCluster } from './testing/postgres-cluster';

jest.setTimeout(300_000);

describe('PostgreSQL store: pg_dump, then pg_restore onto a fresh cluster', () => {
  let source: PostgresCluster;
  let target: PostgresCluster;
  let dir: string;
  const stores: PostgresEventStore[] = [];

  beforeAll(async () => {
    [source, target] = await Promise.all([startPostgresCluster(), startPostgresCluster()]);
    dir = mkdtempSync(join(tmpdir(), 'engine-dump-'));
  });

  afterAll(async () => {
    await Promise.all(stores.map((s) => s.close()));
    await Promise.all([source?.stop(), target?.stop()]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('restores every event, verifies, delivers them to a subscriber from 0 and appends after them', async () => {
    // The source cluster has lived longer than the fresh one: its transaction ids are ahead.
    const admin = new Client({ connectionString: source.url });
    await admin.connect();
    for (let i = 0; i < 1_500; i++) await admin.query('SELECT pg_current_xact_id()');
    await admin.end();

    const live = await PostgresEventStore.open(source.url, { poolSize: 2 });
    stores.push(live);
    for (let s = 0; s < 20; s++) {
      for (let v = 0; v < 10; v++) {
        await live.append(`job-${s}`, [{ type: 'step', data: { s, v }, stateAfter: { value: v }, meta: { at: new Date(0).toISOString() } }], { expectedVersion: v });
      }
    }
    const original = await live.readAll();
    expect(original).toHaveLength(200);

    const archive = join(dir, 'engine.dump');
    execFileSync('pg_dump', ['--format=custom', `--file=${archive}`, `--dbname=${source.url}`], { stdio: 'pipe' });
    const restoredUrl = await target.createDatabase();
    execFileSync('pg_restore', ['--no-owner', `--dbname=${restoredUrl}`, archive], { stdio: 'pipe' });

    const restored = await PostgresEventStore.open(restoredUrl, { poolSize: 2 });
    stores.push(restored);
    expect(await restored.readAll()).toEqual(original);
    expect(await restored.verify()).toEqual([]);
    const delivered: RecordedEvent[] = [];
    const subscription = restored.subscribe(0, (event) => void delivered.push(event));
    const deadline = Date.now() + 60_000;
    while (delivered.length < 200 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    await subscription.close();
    expect(delivered).toEqual(original);

    const appended = await restored.append('job-0', [{ type: 'step', data: { after: 'restore' }, stateAfter: { value: 10 }, meta: { at: new Date(0).toISOString() } }], { expectedVersion: 10 });
    expect(appended.position).toBeGreaterThan(original[original.length - 1].position);
    expect((await restored.readAll(original[original.length - 1].position)).map((e) => e.data)).toEqual([{ after: 'restore' }]);
  });
});
