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
import { stepEvent, stepStart, type StepResult } from './step';

export interface ReplayStep {
  version: number;
  type: string;
  at: string;
  state: ActorState;
}

/**
 * Refolds `events` (one stream, from version 1, in order) and returns the recomputed state
 * after each event, up to `toVersion` when given. Throws ReplayMismatchError at the first
 * event whose recomputation differs from the stored one.
 */
export function replayStream(def: AnyMachineDefinition, events: readonly RecordedEvent[], toVersion = Infinity): ReplayStep[] {
  const steps: ReplayStep[] = [];
  let result: StepResult | undefined;
  for (let i = 0; i < events.length && events[i].version <= toVersion; ) {
    const head = events[i];
    const at = Date.parse(head.meta.at);
    if (i === 0) {
      if (head.type !== HOST_EVENTS.started) throw mismatch(def, head, `first event is ${head.type}, expected ${HOST_EVENTS.started}`);
      result = stepStart(def, head.stream, (head.data as ActorStartedData).input, { at });
    } else if (isHostBookkeeping(head.type)) {
      throw mismatch(def, head, `${head.type} is not produced by the preceding step`);
    } else {
      const prev = result as StepResult;
      const event = { ...(head.data as object), type: head.type };
      result = stepEvent(def, head.stream, events[i - 1].version, prev.state, prev.snapshot, event, {
        at,
        effectId: head.meta.effectId,
        timerId: head.meta.timerId,
      });
    }
    result.records.forEach((expected, k) => {
      const actual = events[i + k];
      if (!actual) throw mismatch(def, head, `missing ${expected.type} after version ${events[i + k - 1].version}`);
      const diff = compare(expected, actual);
      if (diff) throw mismatch(def, actual, diff);
      if (actual.version <= toVersion) steps.push({ version: actual.version, type: actual.type, at: actual.meta.at, state: actual.stateAfter as ActorState });
    });
    i += result.records.length;
  }
  return steps;
}

/** The state at `version`, recomputed by replay (not read from the stored snapshot). */
export function stateAtVersion(def: AnyMachineDefinition, events: readonly RecordedEvent[], version: number): ActorState {
  const steps = replayStream(def, events, version);
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
