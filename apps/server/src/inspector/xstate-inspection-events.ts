// Translates recorded events into the XState v5 inspection protocol that Stately's inspector
// reads (`@xstate.actor`, `@xstate.event`, `@xstate.snapshot`, the message shapes of
// @statelyai/inspect's WebSocket inspector). Each stream is one root actor whose session id is
// the stream name. Pure: the bridge decides when and where to send.
import type { ActorState, AnyMachineDefinition, RecordedEvent } from '@engine/core';
import { HOST_EVENTS, isHostBookkeeping } from '@engine/core';
import type { StatelyActorEvent, StatelyEventEvent, StatelyInspectionEvent, StatelySnapshotEvent } from '@statelyai/inspect' with { 'resolution-mode': 'import' };

/** The @statelyai/inspect release whose message shapes these are (package.json pins ^0.7). */
export const INSPECT_PROTOCOL_VERSION = '0.7.2';

const definitions = new WeakMap<object, string>();

/** The machine config as Stately's inspector expects it: JSON, with functions reduced to their names. */
function definitionJson(def: AnyMachineDefinition): string {
  let json = definitions.get(def.machine);
  if (json === undefined) {
    json = JSON.stringify(def.machine.config, (_key, value) => (typeof value === 'function' ? { type: value.name || 'anonymous' } : value));
    definitions.set(def.machine, json);
  }
  return json;
}

/**
 * The inspection events for one recorded event. `announced` says whether this connection has
 * already seen the stream's actor; if not, an `@xstate.actor` with the current snapshot comes
 * first, so an inspector attaching mid-run still learns every actor it hears about.
 * Host bookkeeping (durable timer records) and pure facts are not machine transitions: none.
 */
export function toInspectionEvents(event: RecordedEvent, def: AnyMachineDefinition | undefined, announced: boolean): StatelyInspectionEvent[] {
  const state = event.stateAfter as ActorState | null;
  if (!state || state.value === undefined || isHostBookkeeping(event.type)) return [];
  const base = { sessionId: event.stream, rootId: event.stream, createdAt: String(Date.parse(event.meta.at)), _version: INSPECT_PROTOCOL_VERSION };
  const snapshot = { value: state.value, context: state.context, status: state.status, output: state.output };
  const messages: StatelyInspectionEvent[] = [];
  const started = event.type === HOST_EVENTS.started;
  if (!announced || started) {
    const actor: StatelyActorEvent = {
      ...base,
      type: '@xstate.actor',
      id: `${event.stream}:${event.version}:actor`,
      name: def?.id ?? event.stream,
      parentId: undefined,
      definition: def ? definitionJson(def) : undefined,
      snapshot,
    };
    messages.push(actor);
  }
  const machineEvent = started ? { type: 'xstate.init', input: (event.data as { input?: unknown } | null)?.input } : { ...(event.data as object), type: event.type };
  if (!started) {
    const sent: StatelyEventEvent = { ...base, type: '@xstate.event', id: `${event.stream}:${event.version}:event`, event: machineEvent, sourceId: undefined };
    messages.push(sent);
  }
  const after: StatelySnapshotEvent = {
    ...base,
    type: '@xstate.snapshot',
    id: `${event.stream}:${event.version}:snapshot`,
    event: machineEvent,
    // XState's Snapshot type carries methods a recorded snapshot never has; the inspector reads only the data.
    snapshot: snapshot as unknown as StatelySnapshotEvent['snapshot'],
  };
  messages.push(after);
  return messages;
}
