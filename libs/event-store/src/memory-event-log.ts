// The storage behind MemoryEventStore, kept apart from the store so that "reopening" works as
// with a file: a new MemoryEventStore on the same log sees everything the old one wrote.
import type { StreamHeadRecord } from './chain-verifier';
import type { StoredEvent } from './stored-event';
import type { StoredSnapshot } from './stored-snapshot';

export interface MemoryStream {
  head: StreamHeadRecord;
  /** This stream's events in version order (the same objects as in `MemoryEventLog.events`). */
  events: StoredEvent[];
}

export class MemoryEventLog {
  /** Every event in position order. */
  readonly events: StoredEvent[] = [];
  readonly streams = new Map<string, MemoryStream>();
  lastPosition = 0;
  /** Stream → its snapshots in version order. */
  readonly snapshots = new Map<string, StoredSnapshot[]>();

  /** Test-only: rewrites an event's data behind the store's back, as someone with access to the storage could. */
  tamperEditData(stream: string, version: number, data: unknown): void {
    const event = this.find(stream, version);
    event.data = JSON.stringify(data);
  }

  /** Test-only: removes an event behind the store's back. */
  tamperDelete(stream: string, version: number): void {
    const event = this.find(stream, version);
    const own = this.streams.get(stream)!.events;
    own.splice(own.indexOf(event), 1);
    this.events.splice(this.events.indexOf(event), 1);
  }

  private find(stream: string, version: number): StoredEvent {
    const event = this.streams.get(stream)?.events.find((e) => e.version === version);
    if (!event) throw new Error(`no event ${stream} v${version} to tamper with`);
    return event;
  }
}
