// Picks an adapter from configuration: `memory:` for tests and demos, `sqlite:<path>` or a
// plain file path for the embedded default.
import { ValidationError, type EventStore } from '@engine/core';
import { MemoryEventStore } from './memory-event-store';
import { SqliteEventStore, type SqliteEventStoreOptions } from './sqlite-event-store';

export function openEventStore(location: string, options: SqliteEventStoreOptions = {}): EventStore {
  if (location === 'memory:') return new MemoryEventStore();
  const path = location.startsWith('sqlite:') ? location.slice('sqlite:'.length) : location;
  if (path.length === 0 || /^[a-z][a-z0-9+.-]*:\/\//i.test(path)) {
    throw new ValidationError(`unsupported event store location ${JSON.stringify(location)}: use memory:, sqlite:<path> or a file path`, { location: 'unsupported' });
  }
  return new SqliteEventStore(path, options);
}
