// The pure step of the engine loop: (actor state, input event) → the events to append and the
// effects/timers to start after the append. No I/O. The host uses it to decide; audit replay
// uses the same function to re-decide and compare with the log, so both can never drift apart.
import { createActor, type AnyActorRef, type AnyActorScope, type AnyMachineSnapshot, type AnyStateMachine, type EventObject } from 'xstate';
import { canonicalEvent } from '../canonical-event';
import type { EventMeta, NewEvent } from '../recorded-event';
import { machinePart, type ActorState, type PendingEffect } from './actor-state';
import { HOST_EVENTS, type TimerCancelledData, type TimerScheduledData } from './host-events';
import { TIMER_ACTIONS, type CancelTimerParams, type AnyMachineDefinition, type ScheduleTimerParams } from './machine-definition';

export interface StartedEffect extends PendingEffect {
  id: string;
  /** False for fire-and-forget effects: run once, never tracked. */
  tracked: boolean;
}

export interface StepResult {
  records: NewEvent[];
  state: ActorState;
  snapshot: AnyMachineSnapshot;
  effects: StartedEffect[];
  timersArmed: TimerScheduledData[];
  timersCancelled: TimerCancelledData[];
}

export interface StepOrigin {
  /** Epoch ms from the host's Clock. */
  at: number;
  /** The effect this event answers. */
  effectId?: string;
  /** The timer whose firing this event is. */
  timerId?: string;
}

/** Restores an XState snapshot from stored state: one call, no refold. */
export function resolveSnapshot(def: AnyMachineDefinition, state: ActorState): AnyMachineSnapshot {
  return def.machine.resolveState({ value: state.value, context: state.context as never });
}

/** The first step of a stream: the machine's initial state and entry actions. */
export function stepStart(def: AnyMachineDefinition, stream: string, input: unknown, origin: StepOrigin): StepResult {
  const [snapshot, actions] = pureTransition(def.machine, (scope) => def.machine.getInitialSnapshot(scope, input));
  const base: ActorState = { ...machinePart(snapshot), effects: {}, timers: {} };
  return finish(def, stream, 1, base, snapshot, actions, { type: HOST_EVENTS.started, data: { input } }, origin);
}

/**
 * A machine event on a stream at `version` (the stream's current version). The event is
 * recorded even when the machine ignores it: an answered effect or a fired timer must be
 * marked resolved, otherwise it would look pending forever.
 */
export function stepEvent(
  def: AnyMachineDefinition,
  stream: string,
  version: number,
  state: ActorState,
  snapshot: AnyMachineSnapshot,
  event: EventObject,
  origin: StepOrigin,
): StepResult {
  const [next, actions] = pureTransition(def.machine, (scope) => def.machine.transition(snapshot, event, scope));
  const effects = { ...state.effects };
  if (origin.effectId) delete effects[origin.effectId];
  const timers = { ...state.timers };
  if (origin.timerId) {
    for (const [name, timer] of Object.entries(timers)) if (timer.id === origin.timerId) delete timers[name];
  }
  const base: ActorState = { ...machinePart(next), effects, timers };
  const { type, ...data } = event;
  return finish(def, stream, version + 1, base, next, actions, { type, data }, origin);
}

/**
 * What XState's `transition` / `initialTransition` do — run the machine with an actor scope that
 * collects the actions instead of executing them — without their cost per call: they build a
 * throwaway actor each time, whose constructor computes the machine's initial state without
 * input (the job machine's context factory then throws, and XState catches it), which was most
 * of a step's CPU. One inert actor per machine serves every step instead. That is safe because
 * the host's machines run no child actors (a stored state is value and context only, a child
 * could not be restored), so nothing registers in the shared actor system.
 */
function pureTransition(machine: AnyStateMachine, step: (scope: AnyActorScope) => AnyMachineSnapshot): [AnyMachineSnapshot, { type: string; params?: unknown }[]] {
  const actions: { type: string; params?: unknown }[] = [];
  const self = inertActor(machine);
  const scope: AnyActorScope = {
    self,
    defer: () => undefined,
    id: '',
    logger: () => undefined,
    sessionId: '',
    stopChild: () => undefined,
    system: self.system,
    emit: () => undefined,
    actionExecutor: (action) => void actions.push(action),
  };
  return [step(scope), actions];
}

const inertActors = new WeakMap<AnyStateMachine, AnyActorRef>();

function inertActor(machine: AnyStateMachine): AnyActorRef {
  let actor = inertActors.get(machine);
  if (!actor) {
    actor = createActor(machine);
    inertActors.set(machine, actor);
  }
  return actor;
}

function finish(
  def: AnyMachineDefinition,
  stream: string,
  version: number,
  base: ActorState,
  snapshot: AnyMachineSnapshot,
  actions: readonly { type: string; params?: unknown }[],
  head: { type: string; data: unknown },
  origin: StepOrigin,
): StepResult {
  const meta = (extra: Partial<EventMeta> = {}): EventMeta => {
    const m: EventMeta = { at: new Date(origin.at).toISOString(), machineId: def.id, machineVersion: def.version, ...extra };
    if (origin.effectId) m.effectId = origin.effectId;
    if (origin.timerId) m.timerId = origin.timerId;
    return m;
  };
  const fireAndForget = new Set(def.fireAndForget ?? []);
  const effects: StartedEffect[] = [];
  const schedules: TimerScheduledData[] = [];
  const cancels: string[] = [];
  actions.forEach((action, n) => {
    const id = `${stream}:${version}:${n}`;
    if (action.type === TIMER_ACTIONS.schedule) {
      const p = action.params as ScheduleTimerParams;
      schedules.push({ name: p.name, timerId: id, dueAt: origin.at + p.delayMs });
    } else if (action.type === TIMER_ACTIONS.cancel) {
      cancels.push((action.params as CancelTimerParams).name);
    } else {
      const tracked = !fireAndForget.has(action.type);
      const params = action.params === undefined ? null : JSON.parse(JSON.stringify(action.params));
      effects.push({ id, type: action.type, params, tracked });
      if (tracked) base.effects[id] = { type: action.type, params };
    }
  });

  // A finished machine has nothing left to wait for: its timers go with it, and effects still
  // running are no longer awaited (a late outcome is ignored, so the stream ends on its final event).
  if (base.status !== 'active') {
    for (const name of Object.keys(base.timers)) if (!cancels.includes(name)) cancels.push(name);
    base.effects = {};
  }

  // An event type with a declared payload schema says which one it was written in (see EventSchema).
  const schemaVersion = def.eventSchemas?.[head.type]?.version;
  const records: NewEvent[] = [{ type: head.type, data: head.data, stateAfter: base, meta: schemaVersion === undefined ? meta() : meta({ schemaVersion }) }];
  let state = base;
  const timersCancelled: TimerCancelledData[] = [];
  const cancelTimer = (name: string) => {
    const timer = state.timers[name];
    if (!timer) return;
    const timers = { ...state.timers };
    delete timers[name];
    state = { ...state, timers };
    const data: TimerCancelledData = { name, timerId: timer.id };
    timersCancelled.push(data);
    records.push({ type: HOST_EVENTS.timerCancelled, data, stateAfter: state, meta: meta() });
  };
  for (const name of cancels) cancelTimer(name);
  const timersArmed: TimerScheduledData[] = [];
  if (state.status === 'active') {
    for (const data of schedules) {
      cancelTimer(data.name); // re-scheduling a name replaces the armed timer
      state = { ...state, timers: { ...state.timers, [data.name]: { id: data.timerId, dueAt: data.dueAt } } };
      timersArmed.push(data);
      records.push({ type: HOST_EVENTS.timerScheduled, data, stateAfter: state, meta: meta() });
    }
  }
  // Each record's parts become JSON-normal copies with their canonical text (one walk): the state
  // kept in memory is exactly what the store holds, and the store does not serialise it again.
  const canonical = records.map((record) => canonicalEvent(record.type, record.data, record.stateAfter, record.meta));
  return { records: canonical, state: canonical[canonical.length - 1].stateAfter as ActorState, snapshot, effects, timersArmed, timersCancelled };
}
