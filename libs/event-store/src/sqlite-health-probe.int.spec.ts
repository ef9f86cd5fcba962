// The SQLite adapter's health probe against a real file: it sees a write lock held by another
// connection (a second process, or a tool left in a transaction) instead of reporting the store
// writable, and it does not hold the caller up for the whole default busy wait.
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteEventStore } from './sqlite-event-store';

describe('SqliteEventStore.checkWritable', () => {
  let dir: string;
  let store: SqliteEventStore;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'sqlite-health-'));
    store = new SqliteEventStore(join(dir, 'events.db'));
  });

  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('rejects with STORE_NOT_WRITABLE while another connection holds the write lock, and recovers after it commits', async () => {
    await expect(store.checkWritable()).resolves.toBeUndefined();
    const other = new Database(join(dir, 'events.db'));
    try {
      other.prepare('BEGIN IMMEDIATE').run();
      await expect(store.checkWritable()).rejects.toMatchObject({ code: 'STORE_NOT_WRITABLE' });
      other.prepare('COMMIT').run();
      await expect(store.checkWritable()).resolves.toBeUndefined();
    } finally {
      other.close();
    }
  });

  it('restores the connection\'s own busy timeout, so appends still wait for a briefly held lock', async () => {
    const before = (store as unknown as { db: Database.Database }).db.pragma('busy_timeout', { simple: true });
    await store.checkWritable();
    expect((store as unknown as { db: Database.Database }).db.pragma('busy_timeout', { simple: true })).toBe(before);
  });
});
