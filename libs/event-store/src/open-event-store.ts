// Picks an adapter from configuration: `memory:` for tests and demos, `sqlite:<path>` or a
// plain file path for the embedded default, `postgres://…` (or `postgresql://…`) for the
// store several worker processes share.
import { ValidationError, type EventStore } from '@engine/core';
import { MemoryEventStore } from './memory-event-store';
import { PostgresEventStore, type PostgresEventStoreOptions } from './postgres-event-store';
import { SqliteEventStore, type SqliteEventStoreOptions } from './sqlite-event-store';

/** Options for whichever adapter the location picks; each adapter reads its own. */
export type OpenEventStoreOptions = SqliteEventStoreOptions & PostgresEventStoreOptions;

const POSTGRES_URL = /^postgres(ql)?:\/\//i;

/**
 * Opens a store synchronously. A PostgreSQL store connects in the background and every call
 * waits for that; a bad database (unknown schema version, unreachable) surfaces on the first
 * call. Use openEventStoreAsync to find out at start-up instead.
 */
export function openEventStore(location: string, options: OpenEventStoreOptions = {}): EventStore {
  if (location === 'memory:') return new MemoryEventStore();
  if (POSTGRES_URL.test(location)) return new PostgresEventStore(location, options);
  const path = location.startsWith('sqlite:') ? location.slice('sqlite:'.length) : location;
  if (path.length === 0 || /^[a-z][a-z0-9+.-]*:\/\//i.test(path)) {
    throw new ValidationError(`unsupported event store location ${JSON.stringify(location)}: use memory:, sqlite:<path>, postgres://… or a file path`, { location: 'unsupported' });
  }
  return new SqliteEventStore(path, options);
}

/** Opens a store and waits until it is usable: a PostgreSQL schema problem fails here, not on the first append. */
export async function openEventStoreAsync(location: string, options: OpenEventStoreOptions = {}): Promise<EventStore> {
  if (POSTGRES_URL.test(location)) return PostgresEventStore.open(location, options);
  return openEventStore(location, options);
}
