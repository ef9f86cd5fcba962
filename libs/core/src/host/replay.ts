// Audit replay: folds a stream's recorded events through the same pure step the host used,
// runs no effect, and checks that every recomputed event and state equals what the log holds.
// A difference means the machine definition changed since the events were written.
import { canonicalJson } from '../canonical-json';
import { EngineError, ReplayMismatchError } from '../errors';
import { jsonEqual } from '../json-equal';
import type { NewEvent, RecordedEvent } from '../recorded-event';
import type { ActorState } from './actor-state';
import { HOST_EVENTS, isHostBookkeeping, type ActorStartedData } from './host-events';
import type { AnyMachineDefinition } from './machine-definition';
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
 */
export interface ReplayStart {
  version: number;
  state: ActorState;
}

/**
 * Refolds `events` (one stream, in order) and returns the recomputed state after each event,
 * up to `toVersion` when given. Without `start` the events begin at version 1; with it, the
 * fold begins after `start.version` from its state (earlier events given are skipped, and
 * yield no step). Throws ReplayMismatchError at the first event whose recomputation differs
 * from the stored one.
 */
export function replayStream(def: AnyMachineDefinition, events: readonly RecordedEvent[], toVersion = Infinity, start?: ReplayStart): ReplayStep[] {
  const steps: ReplayStep[] = [];
  let result: Pick<StepResult, 'state' | 'snapshot'> | undefined;
  let i = 0;
  if (start) {
    result = { state: start.state, snapshot: resolveSnapshot(def, start.state) };
    while (i < events.length && events[i].version <= start.version) i++;
    if (i < events.length && events[i].version !== start.version + 1) throw mismatch(def, events[i], `replay from version ${start.version} found version ${events[i].version} next`);
  }
  const first = i;
  while (i < events.length && events[i].version <= toVersion) {
    const head = events[i];
    const at = Date.parse(head.meta.at);
    if (!start && i === 0) {
      if (head.type !== HOST_EVENTS.started) throw mismatch(def, head, `first event is ${head.type}, expected ${HOST_EVENTS.started}`);
      result = stepStart(def, head.stream, (head.data as ActorStartedData).input, { at });
    } else if (isHostBookkeeping(head.type)) {
      throw mismatch(def, head, `${head.type} is not produced by the preceding step`);
    } else {
      const prev = result as StepResult;
      const event = { ...(head.data as object), type: head.type };
      const prevVersion = i === first && start ? start.version : events[i - 1].version;
      result = stepEvent(def, head.stream, prevVersion, prev.state, prev.snapshot, event, {
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
      const diff = compare(expected, actual);
      if (diff) throw mismatch(def, actual, diff);
      if (actual.version <= toVersion) steps.push({ version: actual.version, type: actual.type, at: actual.meta.at, state: actual.stateAfter as ActorState });
    });
    i += (result as StepResult).records.length;
  }
  return steps;
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

function compare(expected: NewEvent, actual: RecordedEvent): string | null {
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
