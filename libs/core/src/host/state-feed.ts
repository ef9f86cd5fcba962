// The read side of the engine: the latest committed state of every stream, kept in memory and
// published once. Every reader — the scheduler, the API, the inspector, health, metrics,
// workflows — reads this one feed instead of keeping its own copy.
//
// Two inputs, one rule. The actor host writes through: right after each append it made, it
// hands the appended events here, so a reader sees a commit before the command that made it has
// answered, and no process re-reads what it has just written. The store subscription brings in
// what other writers appended (other workers on PostgreSQL, a test writing a state by hand).
// An event is applied only when it is the next version of its stream, so per stream readers see
// every version once and in order; a write-through that would skip a version (another writer
// appended in between) is left to the subscription, which delivers everything in log order.
import type { Clock, TimerHandle } from '../clock';
import { TimeoutError } from '../errors';
import type { EventStore, StreamHead, Subscription } from '../event-store';
import { silentLogger, type Logger } from '../logger';
import type { RecordedEvent } from '../recorded-event';
import type { ActorState } from './actor-state';
import type { AnyMachineDefinition, StateOf } from './machine-definition';

/** The latest committed state of one stream. */
export interface StreamState<TState extends ActorState | null = ActorState | null> {
  stream: string;
  /** The machine's id, or the name's prefix for streams of no machine (e.g. command inboxes). */
  kind: string;
  version: number;
  /** Global position of the stream's last event. */
  position: number;
  /** The state after the last event; null for streams of pure facts (no stateAfter). */
  state: TState;
  lastEventType: string;
  /** ISO time of the last event. */
  updatedAt: string;
  /** The machine version that wrote the last event, when recorded. */
  machineVersion: string | null;
}

/** One applied event and the stream's state after it. */
export interface StateChange {
  entry: StreamState;
  event: RecordedEvent;
}

export type StateListener = (change: StateChange) => void;

export interface StateFeedOptions {
  clock: Clock;
  /** A stream's kind (its machine id, or another label): fixed per stream. */
  kindOf: (stream: string) => string;
  logger?: Logger;
}

export interface WaitOptions {
  signal?: AbortSignal;
  /** Ceiling on the wait, on the feed's clock. Default: none (then pass a signal). */
  timeoutMs?: number;
}

export interface StatePageQuery {
  /** Only streams whose name starts with it. */
  prefix?: string;
  /** Start after this stream name (the previous page's last). */
  after?: string;
  limit: number;
  filter?: (entry: StreamState) => boolean;
}

export class StateFeed {
  private readonly entries = new Map<string, StreamState>();
  private readonly listeners = new Set<StateListener>();
  private readonly logger: Logger;
  /** Stream names, sorted lazily: listing is rare, new streams are frequent. */
  private names: string[] = [];
  private sorted = true;
  private highest = 0;
  private followed = 0;
  private subscription: Subscription | undefined;

  constructor(private readonly options: StateFeedOptions) {
    this.logger = options.logger ?? silentLogger;
  }

  /** Starts from the heads of a `heads()` read (one event per stream). */
  load(heads: readonly StreamHead[]): void {
    for (const head of heads) {
      this.followed = Math.max(this.followed, head.lastEvent.position);
      this.put(head.lastEvent, false);
    }
  }

  /** Follows the store from where the loaded heads end: what other writers append comes in here. */
  follow(store: EventStore): void {
    if (this.subscription) return;
    this.subscription = store.subscribe(
      this.followed,
      (event) => {
        this.followed = event.position;
        this.apply(event);
      },
      { onError: (error, event) => this.logger.error('state feed stopped following the store', { position: event.position, code: (error as { code?: string })?.code }) },
    );
  }

  async close(): Promise<void> {
    await this.subscription?.close();
    this.subscription = undefined;
  }

  /**
   * Events a writer of this process has just committed, in version order (the host calls it
   * right after each append). Applied up to the first one that is not its stream's next version.
   */
  publish(events: readonly RecordedEvent[]): void {
    for (const event of events) if (!this.apply(event)) return;
  }

  /**
   * Applies one event when it is its stream's next version; false otherwise: older than what is
   * known (a write-through seen again through the subscription) or after a gap (a later delivery
   * from the subscription fills it, in order).
   */
  apply(event: RecordedEvent): boolean {
    const known = this.entries.get(event.stream);
    if (event.version !== (known ? known.version + 1 : 1)) return false;
    this.put(event, true);
    return true;
  }

  get(stream: string): StreamState | undefined {
    return this.entries.get(stream);
  }

  /** A stream of `def`'s machine, typed by it; undefined when unknown or of another machine. */
  getOf<D extends AnyMachineDefinition>(def: D, id: string): StreamState<StateOf<D>> | undefined {
    return this.typed(def, this.entries.get(`${def.streamPrefix}${id}`));
  }

  /** Every stream of `def`'s machine, typed by it, in no particular order. */
  *allOf<D extends AnyMachineDefinition>(def: D): IterableIterator<StreamState<StateOf<D>>> {
    for (const entry of this.entries.values()) {
      const typed = this.typed(def, entry);
      if (typed) yield typed;
    }
  }

  /** Every stream whose name starts with `prefix`, in no particular order. */
  *all(prefix = ''): IterableIterator<StreamState> {
    for (const entry of this.entries.values()) if (entry.stream.startsWith(prefix)) yield entry;
  }

  get size(): number {
    return this.entries.size;
  }

  /** Highest global position applied (from either input). */
  get position(): number {
    return this.highest;
  }

  /** Every event at or below this position has been applied: the place to subscribe from to miss nothing. */
  caughtUpTo(): number {
    return this.followed;
  }

  /** Streams in name order after `after`, filtered; `next` is the last name when more may follow. */
  page(query: StatePageQuery): { items: StreamState[]; next: string | null } {
    if (!this.sorted) {
      this.names.sort();
      this.sorted = true;
    }
    const prefix = query.prefix ?? '';
    let index = lowerBound(this.names, query.after === undefined ? prefix : query.after < prefix ? prefix : query.after);
    if (query.after !== undefined && this.names[index] === query.after) index += 1;
    const items: StreamState[] = [];
    let next: string | null = null;
    for (; index < this.names.length; index++) {
      const name = this.names[index];
      if (!name.startsWith(prefix)) break;
      const entry = this.entries.get(name) as StreamState;
      if (query.filter && !query.filter(entry)) continue;
      if (items.length === query.limit) {
        next = items[items.length - 1].stream;
        break;
      }
      items.push(entry);
    }
    return { items, next };
  }

  /** Called for every applied event, in the order applied. Returns the unsubscribe function. */
  subscribe(listener: StateListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Resolves with the stream's state once `until` holds for it (at once when it already does);
   * rejects on abort or, with `timeoutMs`, with a TimeoutError. Nothing polls: it listens.
   */
  waitFor(stream: string, until: (entry: StreamState | undefined) => boolean, options: WaitOptions = {}): Promise<StreamState | undefined> {
    const current = this.entries.get(stream);
    if (until(current)) return Promise.resolve(current);
    if (options.signal?.aborted) return Promise.reject(options.signal.reason);
    return new Promise((resolve, reject) => {
      let timer: TimerHandle | undefined;
      const finish = (settle: () => void) => {
        unsubscribe();
        timer?.cancel();
        options.signal?.removeEventListener('abort', onAbort);
        settle();
      };
      const onAbort = () => finish(() => reject(options.signal?.reason));
      const unsubscribe = this.subscribe(({ entry }) => {
        if (entry.stream === stream && until(entry)) finish(() => resolve(entry));
      });
      options.signal?.addEventListener('abort', onAbort, { once: true });
      if (options.timeoutMs !== undefined) {
        timer = this.options.clock.schedule(this.options.clock.now() + options.timeoutMs, () =>
          finish(() => reject(new TimeoutError(`wait for ${stream}`, options.timeoutMs as number))),
        );
      }
    });
  }

  private typed<D extends AnyMachineDefinition>(def: D, entry: StreamState | undefined): StreamState<StateOf<D>> | undefined {
    if (!entry || !entry.stream.startsWith(def.streamPrefix) || entry.kind !== def.id || entry.state === null) return undefined;
    // The kind is the machine's id, so the stored state is that machine's: its context and value types hold.
    return entry as StreamState<StateOf<D>>;
  }

  private put(event: RecordedEvent, notify: boolean): void {
    const known = this.entries.get(event.stream);
    const state = (event.stateAfter ?? null) as ActorState | null;
    const entry: StreamState = {
      stream: event.stream,
      kind: known?.kind ?? this.options.kindOf(event.stream),
      version: event.version,
      position: event.position,
      state,
      lastEventType: event.type,
      updatedAt: event.meta.at,
      machineVersion: typeof event.meta.machineVersion === 'string' ? event.meta.machineVersion : (known?.machineVersion ?? null),
    };
    if (!known) {
      this.names.push(event.stream);
      if (this.names.length > 1 && this.names[this.names.length - 2] > event.stream) this.sorted = false;
    }
    this.entries.set(event.stream, entry);
    this.highest = Math.max(this.highest, event.position);
    if (!notify) return;
    for (const listener of this.listeners) {
      try {
        listener({ entry, event });
      } catch (error) {
        // A reader's bug must not stop the host's commit path or the other readers.
        this.logger.error('state feed listener threw', { stream: event.stream, version: event.version, code: (error as { code?: string })?.code ?? (error as Error)?.name });
      }
    }
  }
}

/** First index whose name is >= `name`. */
function lowerBound(names: readonly string[], name: string): number {
  let low = 0;
  let high = names.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (names[mid] < name) low = mid + 1;
    else high = mid;
  }
  return low;
}
