// Opens the event store the CLI inspects: `--store`, else the server's own configuration (the
// settings schema: DATABASE_URL, or the file ENGINE_CONFIG names, else `<DATA_DIR>/events.db`). A missing or empty file is refused with a clear error instead of
// being created: an audit of a freshly created empty store would "pass". (The SQLite adapter has
// no read-only mode; only `archive` and `migrate` write, each with the stream's expectedVersion.)
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { EventStore } from '@engine/core';
import { SqliteEventStore } from '@engine/event-store';
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

export function openStoreForReading(location: string): { store: EventStore; description: string } {
  if (/^postgres(ql)?:\/\//.test(location)) throw new CliError('PostgreSQL stores are not supported by this CLI yet; use a sqlite: store');
  if (location === 'memory:') throw new CliError('memory: holds nothing to read from a separate process; use a sqlite: store');
  const path = resolve(location.startsWith('sqlite:') ? location.slice('sqlite:'.length) : location);
  if (!existsSync(path)) throw new CliError(`no event store at ${path} (set --store or DATABASE_URL); nothing was created`);
  if (!statSync(path).isFile() || statSync(path).size === 0) throw new CliError(`${path} is not an event store (not a file, or empty); nothing was changed`);
  return { store: new SqliteEventStore(path), description: path };
}
