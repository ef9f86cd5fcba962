// Test-only: a PostgreSQL event store on a fresh database of a throwaway cluster, plus a raw
// connection for tampering with it behind the store's back.
import { Client } from 'pg';
import type { EventStoreFixture } from '../conformance/event-store.conformance';
import { PostgresEventStore, type PostgresEventStoreOptions } from '../postgres-event-store';
import type { PostgresCluster } from './postgres-cluster';

/** Runs `sql` on the database through its own connection, as an outsider would. */
export async function tamperPostgres(url: string, sql: string, params: unknown[] = []): Promise<void> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql, params);
  } finally {
    await client.end();
  }
}

export async function postgresFixture(cluster: PostgresCluster, options: PostgresEventStoreOptions = {}): Promise<EventStoreFixture & { url: string }> {
  const url = await cluster.createDatabase();
  const opened: PostgresEventStore[] = [];
  const open = async () => {
    const store = await PostgresEventStore.open(url, { poolSize: 4, ...options });
    opened.push(store);
    return store;
  };
  return {
    url,
    store: await open(),
    reopen: open,
    editEventData: (stream, version, data) => tamperPostgres(url, 'UPDATE events SET data = $1 WHERE stream = $2 AND version = $3', [JSON.stringify(data), stream, version]),
    deleteEvent: (stream, version) => tamperPostgres(url, 'DELETE FROM events WHERE stream = $1 AND version = $2', [stream, version]),
    dispose: async () => {
      await Promise.all(opened.map((store) => store.close()));
    },
  };
}
