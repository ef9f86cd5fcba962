// Opens the event store the CLI inspects: `--store`, else the server's own configuration (the
// settings schema: DATABASE_URL, or the file ENGINE_CONFIG names, else `<DATA_DIR>/events.db`).
// A missing or empty SQLite file, or a PostgreSQL database without the event-store tables, is
// refused with a clear error instead of being created: an audit of a freshly created empty store
// would "pass". (Neither adapter has a read-only mode; only `archive` and `migrate` write, each
// with the stream's expectedVersion.) A PostgreSQL URL is only ever shown without its password.
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { Client } from 'pg';
import type { EventStore } from '@engine/core';
import { PostgresEventStore, redactUrl, SqliteEventStore } from '@engine/event-store';
import { loadSettings } from '../settings/load-settings';
import { CliError } from './cli-error';

export function storeLocation(flag: string | undefined, env: NodeJS.ProcessEnv): string {
  if (flag) return flag;
  // The server's own reading of its configuration, so the CLI finds the store the server uses.
  const fields: Record<string, string> = {};
  const { values } = loadSettings(env, fields);
  const refused = Object.entries(fields);
  if (refused.length > 0) throw new CliError(`invalid configuration: ${refused.map(([place, why]) => `${place}: ${why}`).join('; ')}`);
  return values['store.url'] ?? `sqlite:${resolve(values['server.dataDir'], 'events.db')}`;
}

export const POSTGRES_URL = /^postgres(ql)?:\/\//i;

/** The store at `location`, opened for a command; `description` names it (a file path, or the URL without its password). */
export async function openStoreForReading(location: string): Promise<{ store: EventStore; description: string }> {
  if (POSTGRES_URL.test(location)) return { store: await openPostgres(location), description: redactUrl(location) };
  if (location === 'memory:') throw new CliError('memory: holds nothing to read from a separate process; use a sqlite: or postgres:// store');
  const path = resolve(location.startsWith('sqlite:') ? location.slice('sqlite:'.length) : location);
  if (!existsSync(path)) throw new CliError(`no event store at ${path} (set --store or DATABASE_URL); nothing was created`);
  if (!statSync(path).isFile() || statSync(path).size === 0) throw new CliError(`${path} is not an event store (not a file, or empty); nothing was changed`);
  return { store: new SqliteEventStore(path), description: path };
}

/** A PostgreSQL store that exists: its tables are looked for first, so a wrong database is refused, not given new tables. */
async function openPostgres(url: string): Promise<EventStore> {
  const where = redactUrl(url);
  const client = new Client({ connectionString: url });
  let found: boolean;
  try {
    await client.connect();
    const { rows } = await client.query<{ table: string | null }>(`SELECT to_regclass('event_store_schema')::text AS table`);
    found = rows[0]?.table !== null && rows[0]?.table !== undefined;
  } catch (error) {
    // pg's messages name the host and user, never the password; the URL is given redacted.
    throw new CliError(`cannot reach the event store at ${where}: ${(error as Error).message}`);
  } finally {
    await client.end().catch(() => undefined);
  }
  if (!found) throw new CliError(`no event store at ${where} (no event-store tables in that database); nothing was created`);
  return PostgresEventStore.open(url);
}
