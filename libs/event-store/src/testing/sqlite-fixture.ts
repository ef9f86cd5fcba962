// Test-only: a SQLite event-store file in a fresh temporary directory, plus a second raw
// connection for tampering with it behind the store's back.
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EventStoreFixture } from '../conformance/event-store.conformance';
import { SqliteEventStore, type SqliteEventStoreOptions } from '../sqlite-event-store';

export function tempStoreFile(): { dir: string; file: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'event-store-'));
  return { dir, file: join(dir, 'events.db'), remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Runs `sql` on the store file through its own connection, as an outsider would. */
export function tamper(file: string, sql: string, ...params: unknown[]): void {
  const db = new Database(file);
  try {
    db.prepare(sql).run(...params);
  } finally {
    db.close();
  }
}

export async function sqliteFixture(options: SqliteEventStoreOptions = {}): Promise<EventStoreFixture & { file: string }> {
  const temp = tempStoreFile();
  const opened: SqliteEventStore[] = [];
  const open = () => {
    const store = new SqliteEventStore(temp.file, options);
    opened.push(store);
    return store;
  };
  return {
    file: temp.file,
    store: open(),
    reopen: async () => open(),
    editEventData: async (stream, version, data) => tamper(temp.file, 'UPDATE events SET data = ? WHERE stream = ? AND version = ?', JSON.stringify(data), stream, version),
    deleteEvent: async (stream, version) => tamper(temp.file, 'DELETE FROM events WHERE stream = ? AND version = ?', stream, version),
    dispose: async () => {
      await Promise.all(opened.map((store) => store.close()));
      temp.remove();
    },
  };
}
