// Moving in-flight streams to the newest version of their machine (`engine migrate`): for every
// stream that is not final and is on an older version, the declared migrations from its version
// to the newest, recorded as `actor.migrated` events so the stream continues on the new
// definition and replay switches definition there. Appends state the version read
// (expectedVersion): a stream written meanwhile is reported as changed, never overwritten.
// Running it again finds nothing left to do.
import type { Clock } from '../clock';
import { EngineError, VersionConflictError } from '../errors';
import type { EventStore } from '../event-store';
import type { NewEvent } from '../recorded-event';
import type { ActorState } from './actor-state';
import type { AnyMachineDefinition } from './machine-definition';
import { definitionAtVersion, migrationPath, recordedVersion, registeredVersions, stepMigration } from './machine-versions';

export interface StreamMigration {
  stream: string;
  machineId: string;
  /** The stream's version (event count) when it was read. */
  streamVersion: number;
  /** The machine version the stream is on. */
  from: string;
  /** The newest version of its machine. */
  to: string;
  /**
   * `migrate`: the declared path leads to `to` (applied, or would be on a dry run);
   * `no-path`: no declared migration leads from `from` to `to`, the stream stays on `from`;
   * `invalid`: the migration gave a state the target machine does not have; `conflict`: the stream
   * was written while it was being migrated (nothing appended; run again).
   */
  outcome: 'migrate' | 'no-path' | 'invalid' | 'conflict';
  /** The versions the stream passes through, `from` first. */
  path: string[];
  stateBefore: unknown;
  /** The state value after the last migration (outcome `migrate`). */
  stateAfter?: unknown;
  reason?: string;
}

export interface MigrateOptions {
  /** Append the `actor.migrated` events; without it nothing is written. */
  apply: boolean;
  clock: Clock;
}

/** Plans (and with `apply` records) the migration of every in-flight stream on an older version of a registered machine. */
export async function migrateStreams(store: EventStore, definitions: readonly AnyMachineDefinition[], options: MigrateOptions): Promise<StreamMigration[]> {
  const sorted = [...definitions].sort((a, b) => b.streamPrefix.length - a.streamPrefix.length);
  const report: StreamMigration[] = [];
  for (const head of await store.heads()) {
    const newest = sorted.find((d) => head.stream.startsWith(d.streamPrefix));
    const state = head.lastEvent.stateAfter as ActorState | null;
    if (!newest || !state || state.status !== 'active') continue;
    const recorded = recordedVersion(head.lastEvent.meta);
    const from = onVersion(newest, head.stream, recorded);
    if (from === newest.version) continue;
    const entry: StreamMigration = { stream: head.stream, machineId: newest.id, streamVersion: head.version, from, to: newest.version, outcome: 'migrate', path: [from], stateBefore: state.value };
    report.push(entry);
    const path = migrationPath(newest, from);
    if (!path) {
      entry.outcome = 'no-path';
      entry.reason = registeredVersions(newest).includes(from)
        ? `no declared migration leads from version ${from} to ${newest.version}`
        : `version ${from} is not registered and no declared migration leads from it to ${newest.version}`;
      continue;
    }
    const records: NewEvent[] = [];
    let after = state;
    try {
      for (const migration of path) {
        const step = stepMigration(newest, head.stream, after, migration, { at: options.clock.now() });
        records.push(...step.records);
        after = step.state;
        entry.path.push(migration.to);
      }
    } catch (error) {
      if (!(error instanceof EngineError) || error.code !== 'MIGRATION_INVALID') throw error;
      entry.outcome = 'invalid';
      entry.reason = error.message;
      continue;
    }
    entry.stateAfter = after.value;
    if (!options.apply) continue;
    try {
      await store.append(head.stream, records, { expectedVersion: head.version });
    } catch (error) {
      if (!(error instanceof VersionConflictError)) throw error;
      entry.outcome = 'conflict';
      entry.reason = `written while being migrated (expected version ${head.version}, found ${error.actual}); nothing was appended, run again`;
    }
  }
  return report;
}

/** The version a stream is on: the registered version whose definition runs it, else what it recorded. */
function onVersion(newest: AnyMachineDefinition, stream: string, recorded: string | null): string {
  if (recorded === null) return newest.version;
  return registeredVersions(newest).includes(recorded) ? definitionAtVersion(newest, stream, recorded).version : recorded;
}
