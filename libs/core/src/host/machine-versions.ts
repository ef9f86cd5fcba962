// Versioned machines: which definition a stream runs on (the version it was created with or
// last migrated to, never another one), the declared migrations that move a stream to a newer
// version, and the upcasters that turn an old event payload into the shape a machine reads.
// Pure: the host, replay, audit and `engine migrate` all decide with these same functions.
import { EngineError, UnknownMachineVersionError } from '../errors';
import type { NewEvent } from '../recorded-event';
import { machinePart, type ActorState } from './actor-state';
import { HOST_EVENTS, type ActorMigratedData } from './host-events';
import type { AnyMachineDefinition, EventPayload, MachineMigration } from './machine-definition';
import { resolveSnapshot, type StepOrigin, type StepResult } from './step';

/** Every registered version of `newest`'s machine (the additive ones included), newest first. */
export function registeredVersions(newest: AnyMachineDefinition): string[] {
  return [newest, ...(newest.previous ?? [])].flatMap((d) => [d.version, ...(d.compatibleVersions ?? [])]);
}

/**
 * The definition of `newest`'s machine that runs a stream recorded at `version`: the one of that
 * version, or the one that declares it compatible. A stream with no recorded version (written
 * before versions were recorded) runs on the newest. Anything else is refused.
 */
export function definitionAtVersion(newest: AnyMachineDefinition, stream: string, version: string | null | undefined): AnyMachineDefinition {
  if (version === null || version === undefined) return newest;
  const def = [newest, ...(newest.previous ?? [])].find((d) => d.version === version || (d.compatibleVersions ?? []).includes(version));
  if (!def) throw new UnknownMachineVersionError(stream, newest.id, version, registeredVersions(newest));
  return def;
}

/** The recorded machine version of an event, or null when it has none. */
export function recordedVersion(meta: { machineVersion?: unknown }): string | null {
  return typeof meta.machineVersion === 'string' ? meta.machineVersion : null;
}

/**
 * The declared migrations that take a stream from version `from` to the newest version, in
 * order (shortest path); undefined when there is none. Empty when `from` is the newest.
 */
export function migrationPath(newest: AnyMachineDefinition, from: string): MachineMigration[] | undefined {
  const migrations = newest.migrations ?? [];
  const paths = new Map<string, MachineMigration[]>([[from, []]]);
  const queue = [from];
  while (queue.length > 0) {
    const at = queue.shift() as string;
    const path = paths.get(at) as MachineMigration[];
    if (at === newest.version) return path;
    for (const m of migrations) {
      if (m.from !== at || paths.has(m.to)) continue;
      paths.set(m.to, [...path, m]);
      queue.push(m.to);
    }
  }
  return undefined;
}

/**
 * One migration as a step: the `actor.migrated` event recorded at `version + 1` and the state the
 * stream continues from on `migration.to`. The mapped state must be a state of the target
 * machine; pending effects and armed timers carry over (their outcomes and firings arrive as
 * before, now decided by the new definition).
 */
export function stepMigration(newest: AnyMachineDefinition, stream: string, state: ActorState, migration: MachineMigration, origin: StepOrigin): StepResult {
  const to = definitionAtVersion(newest, stream, migration.to);
  const mapped = migration.migrate({ value: state.value, context: state.context });
  let snapshot;
  try {
    snapshot = resolveSnapshot(to, { ...state, value: mapped.value, context: mapped.context });
  } catch (cause) {
    throw new EngineError('MIGRATION_INVALID', `migration of ${stream} from version ${migration.from} to ${migration.to} gave a state machine ${newest.id} v${migration.to} does not have`, {
      cause,
      details: { stream, from: migration.from, to: migration.to },
    });
  }
  const part = machinePart(snapshot);
  const after: ActorState = { ...part, effects: part.status === 'active' ? state.effects : {}, timers: part.status === 'active' ? state.timers : {} };
  const data: ActorMigratedData = { from: migration.from, to: migration.to, state: { value: part.value, context: part.context } };
  const record: NewEvent = {
    type: HOST_EVENTS.migrated,
    data,
    stateAfter: after,
    meta: { at: new Date(origin.at).toISOString(), machineId: newest.id, machineVersion: migration.to },
  };
  return { records: [record], state: after, snapshot, effects: [], timersArmed: [], timersCancelled: [] };
}

/**
 * A recorded payload in the schema version `def`'s machine reads: `schemaVersion` (the event's
 * `meta.schemaVersion`, absent: 1) upcast one version at a time. Refuses a payload newer than the
 * definition knows, or a gap in the upcasters: the machine would read a shape it was not written for.
 */
export function upcastPayload(def: AnyMachineDefinition, type: string, payload: unknown, schemaVersion: unknown): unknown {
  const schema = def.eventSchemas?.[type];
  const target = schema?.version ?? 1;
  let at = schemaVersion === undefined ? 1 : schemaVersion;
  if (typeof at !== 'number' || !Number.isInteger(at) || at < 1 || at > target) {
    throw new EngineError('EVENT_SCHEMA_UNKNOWN', `event ${type} has schema version ${String(at)}; machine ${def.id} v${def.version} reads version ${target}`, {
      details: { type, schemaVersion: String(at), target },
    });
  }
  let upcast = payload as EventPayload;
  for (; at < target; at++) {
    const upcaster = schema?.upcasters[at];
    if (!upcaster) throw new EngineError('EVENT_SCHEMA_UNKNOWN', `event ${type}: no upcaster from schema version ${at} to ${at + 1}`, { details: { type, from: at } });
    upcast = upcaster(upcast);
  }
  return upcast;
}

