// The latest state of every stream with given prefixes, kept in memory: loaded once from the
// stores' heads (one read), then kept fresh from the store subscription. The scheduler, the
// HTTP API and the alert rules read it instead of the store. It is derived, so it is disposable.
import type { ActorState, EventStore, RecordedEvent, Subscription } from '@engine/core';

export interface IndexedStream {
  stream: string;
  version: number;
  /** Global position of the stream's last event. */
  position: number;
  state: ActorState;
  /** ISO time of the last event. */
  updatedAt: string;
}

export type IndexListener = (entry: IndexedStream, event: RecordedEvent | null) => void;

export class LiveStreamIndex {
  private readonly entries = new Map<string, IndexedStream>();
  private readonly listeners = new Set<IndexListener>();
  private subscription?: Subscription;
  private position = 0;

  constructor(
    private readonly store: EventStore,
    private readonly prefixes: readonly string[],
  ) {}

  async start(): Promise<void> {
    // Heads of every stream give both the start state and the position to follow from.
    for (const head of await this.store.heads()) {
      this.position = Math.max(this.position, head.lastEvent.position);
      if (this.tracks(head.stream)) this.put(head.lastEvent, null);
    }
    this.subscription = this.store.subscribe(this.position, (event) => {
      this.position = event.position;
      if (this.tracks(event.stream) && event.stateAfter) this.put(event, event);
    });
  }

  async stop(): Promise<void> {
    await this.subscription?.close();
  }

  get(stream: string): IndexedStream | undefined {
    return this.entries.get(stream);
  }

  /** Entries whose stream starts with `prefix`, in no particular order. */
  *all(prefix = ''): IterableIterator<IndexedStream> {
    for (const entry of this.entries.values()) if (entry.stream.startsWith(prefix)) yield entry;
  }

  /** The position this index has caught up to. */
  caughtUpTo(): number {
    return this.position;
  }

  onChange(listener: IndexListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private tracks(stream: string): boolean {
    return this.prefixes.some((p) => stream.startsWith(p));
  }

  private put(event: RecordedEvent, live: RecordedEvent | null): void {
    const entry: IndexedStream = {
      stream: event.stream,
      version: event.version,
      position: event.position,
      state: event.stateAfter as ActorState,
      updatedAt: event.meta.at,
    };
    this.entries.set(event.stream, entry);
    for (const listener of this.listeners) listener(entry, live);
  }
}
