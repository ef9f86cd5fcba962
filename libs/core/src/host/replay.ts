// Audit replay: folds a stream's recorded events through the same pure step the host used,
// runs no effect, and checks that every recomputed event and state equals what the log holds.
// A difference means the machine definition changed since the events were written.
import { canonicalJson } from '../canonical-json';
import { EngineError, ReplayMismatchError, UnknownMachineVersionError } from '../errors';
import { jsonEqual } from '../json-equal';
import type { NewEvent, RecordedEvent } from '../recorded-event';
import type { ActorState } from './actor-state';
import { HOST_EVENTS, isHostBookkeeping, type ActorMigratedData, type ActorStartedData } from './host-events';
import type { AnyMachineDefinition } from './machine-definition';
import { definitionAtVersion, recordedVersion, stepMigration, upcastPayload } from './machine-versions';
import { resolveSnapshot, stepEvent, stepStart, type StepResult } from './step';

export interface ReplayStep {
  version: number;
  type: string;
  at: string;
  state: ActorState;
}

/**
 * Where a replay picks up instead of at version 1: the state after `version`, taken from a
 * snapshot the caller has checked (see readForReplay). The step boundary is the caller's word.
 * `machineVersion`: the machine version the stream was on there (default: the one recorded on
 * the event at `version` when given, else the newest).
 */
export interface ReplayStart {
  version: number;
  state: ActorState;
  machineVersion?: string;
}

/**
 * Refolds `events` (one stream, in order) and returns the recomputed state after each event,
 * up to `toVersion` when given. Without `start` the events begin at version 1; with it, the
 * fold begins after `start.version` from its state (earlier events given are skipped, and
 * yield no step). `def` is the newest definition of the stream's machine: the fold runs on the
 * version the stream was started on and switches definition at each `actor.migrated` event,
 * whose migration it recomputes; each event's payload is upcast to the schema the folding
 * definition reads. Throws ReplayMismatchError at the first event whose recomputation differs
 * from the stored one, or that was recorded by another (or an unregistered) machine version.
 */
export function replayStream(def: AnyMachineDefinition, events: readonly RecordedEvent[], toVersion = Infinity, start?: ReplayStart): ReplayStep[] {
  const steps: ReplayStep[] = [];
  let result: Pick<StepResult, 'state' | 'snapshot'> | undefined;
  let current = def;
  let i = 0;
  if (start) {
    const at = events.find((e) => e.version === start.version);
    current = versionFor(def, events[0], start.machineVersion ?? (at ? recordedVersion(at.meta) : null));
    result = { state: start.state, snapshot: resolveSnapshot(current, start.state) };
    while (i < events.length && events[i].version <= start.version) i++;
    if (i < events.length && events[i].version !== start.version + 1) throw mismatch(def, events[i], `replay from version ${start.version} found version ${events[i].version} next`);
  }
  const first = i;
  while (i < events.length && events[i].version <= toVersion) {
    const head = events[i];
    const at = Date.parse(head.meta.at);
    let data = head.data;
    if (!start && i === 0) {
      if (head.type !== HOST_EVENTS.started) throw mismatch(def, head, `first event is ${head.type}, expected ${HOST_EVENTS.started}`);
      current = versionFor(def, head, recordedVersion(head.meta));
      result = stepStart(current, head.stream, (head.data as ActorStartedData).input, { at });
    } else if (isHostBookkeeping(head.type)) {
      throw mismatch(def, head, `${head.type} is not produced by the preceding step`);
    } else if (head.type === HOST_EVENTS.migrated) {
      const { from, to } = head.data as ActorMigratedData;
      const migration = def.migrations?.find((m) => m.from === from && m.to === to);
      if (from !== current.version || !migration) throw mismatch(def, head, `a migration from ${from} to ${to} of a stream on version ${current.version}, and none is declared`);
      const target = versionFor(def, head, to);
      try {
        result = stepMigration(def, head.stream, (result as StepResult).state, migration, { at });
      } catch (error) {
        if (!(error instanceof EngineError)) throw error;
        throw mismatch(def, head, error.message);
      }
      current = target;
    } else {
      const recorded = recordedVersion(head.meta);
      if (recorded !== null && versionFor(def, head, recorded) !== current) throw mismatch(def, head, `recorded by machine version ${recorded}, the stream is on version ${current.version}`);
      const prev = result as StepResult;
      try {
        data = upcastPayload(current, head.type, head.data, head.meta.schemaVersion);
      } catch (error) {
        if (!(error instanceof EngineError)) throw error;
        throw mismatch(def, head, error.message);
      }
      const event = { ...(data as object), type: head.type };
      const prevVersion = i === first && start ? start.version : events[i - 1].version;
      result = stepEvent(current, head.stream, prevVersion, prev.state, prev.snapshot, event, {
        at,
        effectId: head.meta.effectId,
        timerId: head.meta.timerId,
      });
    }
    (result as StepResult).records.forEach((expected, k) => {
      const actual = events[i + k];
      // Events read only up to toVersion may end inside a step: what lies beyond is not asked for.
      if (!actual && events[i + k - 1].version >= toVersion) return;
      if (!actual) throw mismatch(def, head, `missing ${expected.type} after version ${events[i + k - 1].version}`);
      // The machine saw the upcast payload, and recorded it: compare it with the upcast stored one.
      const diff = compare(expected, k === 0 ? { ...actual, data } : actual);
      if (diff) throw mismatch(def, actual, diff);
      if (actual.version <= toVersion) steps.push({ version: actual.version, type: actual.type, at: actual.meta.at, state: actual.stateAfter as ActorState });
    });
    i += (result as StepResult).records.length;
  }
  return steps;
}

/** The definition of `version`; an unregistered one is a replay problem of the event that names it. */
function versionFor(def: AnyMachineDefinition, event: RecordedEvent, version: string | null): AnyMachineDefinition {
  try {
    return definitionAtVersion(def, event.stream, version);
  } catch (error) {
    if (!(error instanceof UnknownMachineVersionError)) throw error;
    throw mismatch(def, event, error.message);
  }
}

/**
 * The state at `version`, recomputed by replay (not read from the event's stored state): from
 * version 1, or from `start` (a checked snapshot) when given.
 */
export function stateAtVersion(def: AnyMachineDefinition, events: readonly RecordedEvent[], version: number, start?: ReplayStart): ActorState {
  if (start && version === start.version) return start.state;
  const steps = replayStream(def, events, version, start);
  const step = steps[steps.length - 1];
  if (!step || step.version !== version) {
    throw new EngineError('VERSION_OUT_OF_RANGE', `stream ${events[0]?.stream ?? '?'} has no version ${version}`, { details: { version } });
  }
  return step.state;
}

function compare(expected: NewEvent, actual: NewEvent): string | null {
  if (expected.type !== actual.type) return `event type ${actual.type}, replay produced ${expected.type}`;
  if (!jsonEqual(expected.data, actual.data)) return `data ${truncate(canonicalJson(actual.data))}, replay produced ${truncate(canonicalJson(expected.data))}`;
  if (!jsonEqual(expected.stateAfter, actual.stateAfter)) {
    return `stateAfter ${truncate(canonicalJson(actual.stateAfter))}, replay produced ${truncate(canonicalJson(expected.stateAfter))}`;
  }
  return null;
}

function mismatch(def: AnyMachineDefinition, event: RecordedEvent, diff: string): ReplayMismatchError {
  return new ReplayMismatchError(event.stream, event.version, String(event.meta.machineVersion ?? def.version), diff);
}

function truncate(s: string): string {
  return s.length > 400 ? `${s.slice(0, 400)}…` : s;
}
