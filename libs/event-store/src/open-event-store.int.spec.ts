// openEventStore picks the adapter from configuration and refuses locations it cannot serve.
import { ValidationError } from '@engine/core';
import { existsSync } from 'node:fs';
import { MemoryEventStore } from './memory-event-store';
import { openEventStore } from './open-event-store';
import { SqliteEventStore } from './sqlite-event-store';
import { tempStoreFile } from './testing/sqlite-fixture';

describe('openEventStore', () => {
  let temp: ReturnType<typeof tempStoreFile>;
  beforeEach(() => (temp = tempStoreFile()));
  afterEach(() => temp.remove());

  it('opens the memory adapter for memory:', async () => {
    const store = openEventStore('memory:');
    expect(store).toBeInstanceOf(MemoryEventStore);
    await store.close();
  });

  it.each([
    ['sqlite:<path>', (file: string) => `sqlite:${file}`],
    ['a plain path', (file: string) => file],
  ])('opens a SQLite file for %s', async (_, location) => {
    const store = openEventStore(location(temp.file));
    expect(store).toBeInstanceOf(SqliteEventStore);
    expect(existsSync(temp.file)).toBe(true);
    await store.close();
  });

  it('refuses URLs of stores it does not serve, and an empty path', () => {
    expect(() => openEventStore('mysql://localhost/events')).toThrow(ValidationError);
    expect(() => openEventStore('sqlite:')).toThrow(ValidationError);
  });
});
