// What a replay of one stream reads: the events after its latest usable snapshot, or the whole
// stream when there is none. A snapshot is only a cache, so it is used only when it can be
// trusted to be the log's own state at its version: written by this machine at a registered
// version (the replay goes on from it on that version's definition), and tied to the
// chain (the stored event at its version still has the hash it was taken at). Otherwise the
// stream is folded from version 1, as without snapshots.
import type { EventStore, StreamSnapshot } from '../event-store';
import type { RecordedEvent } from '../recorded-event';
import type { ActorState } from './actor-state';
import type { AnyMachineDefinition } from './machine-definition';
import { registeredVersions } from './machine-versions';
import type { ReplayStart } from './replay';

export interface ReplaySource {
  /** The snapshot the fold starts from; undefined: from version 1. */
  start?: ReplayStart & { takenAt: string };
  /** From the snapshot's own event (or version 1) up to `toVersion`, in version order; what replayStream takes. */
  events: RecordedEvent[];
}

/** Reads `stream` for a replay up to `toVersion` (default: its last event). */
export async function readForReplay(store: EventStore, def: AnyMachineDefinition, stream: string, toVersion?: number): Promise<ReplaySource> {
  const snapshot = await store.latestSnapshot(stream, toVersion);
  if (snapshot && snapshot.machineId === def.id && registeredVersions(def).includes(snapshot.machineVersion)) {
    const events = await store.read(stream, snapshot.version, toVersion);
    if (anchored(snapshot, events[0])) {
      return { start: { version: snapshot.version, state: snapshot.state as ActorState, machineVersion: snapshot.machineVersion, takenAt: snapshot.takenAt }, events };
    }
  }
  return { events: await store.read(stream, 1, toVersion) };
}

function anchored(snapshot: StreamSnapshot, event: RecordedEvent | undefined): boolean {
  return event !== undefined && event.version === snapshot.version && event.hash === snapshot.hash;
}
