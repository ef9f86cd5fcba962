// In-process EventStore for unit tests and demos. Same contract as the SQLite adapter (it runs
// the same conformance suite): events are serialized and hash-chained exactly as on disk, so
// a test cannot pass here and fail there because of aliasing or JSON round-trips.
import {
  GENESIS_HASH,
  SnapshotNotInChainError,
  type AppendedEvent,
  VersionConflictError,
  type AppendResult,
  type ChainProblem,
  type EventHandler,
  type EventStore,
  type ExpectedVersion,
  type NewEvent,
  type RecordedEvent,
  type StreamHead,
  type StreamSnapshot,
  type SubscribeOptions,
  type Subscription,
} from '@engine/core';
import { SubscriptionSet } from './subscription-set';
import { verifyChains } from './chain-verifier';
import { CommitSignal } from './commit-signal';
import { MemoryEventLog } from './memory-event-log';
import { encodeSnapshot, snapshotBound, toStreamSnapshot } from './stored-snapshot';
import { chainEvent, checkExpectedVersion, checkRemoval, encodeEvents, storeClosedError, toRecordedEvent, versionMatches, type StoredEvent } from './stored-event';

export class MemoryEventStore implements EventStore {
  private readonly commits = new CommitSignal();
  private readonly subscriptions = new SubscriptionSet();
  private closed = false;
  private closing: Promise<void> | undefined;

  /** Pass the log of a previous store to reopen it. */
  constructor(readonly log: MemoryEventLog = new MemoryEventLog()) {}

  async append(stream: string, events: NewEvent[], options: { expectedVersion: ExpectedVersion }): Promise<AppendResult> {
    this.assertOpen('append');
    checkExpectedVersion(options.expectedVersion);
    const encoded = encodeEvents(stream, events);
    const existing = this.log.streams.get(stream);
    const actual = existing?.head.version ?? 0;
    if (!versionMatches(options.expectedVersion, actual)) throw new VersionConflictError(stream, options.expectedVersion, actual);
    const entry = existing ?? { head: { stream, version: 0, lastHash: GENESIS_HASH, lastPosition: 0 }, events: [] };
    const appended: AppendedEvent[] = [];
    for (const event of encoded) {
      const row: StoredEvent = { ...chainEvent(stream, entry.head.version + 1, entry.head.lastHash, event), position: ++this.log.lastPosition };
      this.log.events.push(row);
      entry.events.push(row);
      entry.head = { stream, version: row.version, lastHash: row.hash, lastPosition: row.position };
      appended.push({ version: row.version, position: row.position, hash: row.hash, prevHash: row.prevHash });
    }
    this.log.streams.set(stream, entry);
    this.commits.notify();
    return { stream, version: entry.head.version, position: entry.head.lastPosition, events: appended };
  }

  async read(stream: string, fromVersion = 1, toVersion = Number.POSITIVE_INFINITY): Promise<RecordedEvent[]> {
    this.assertOpen('read');
    const events = this.log.streams.get(stream)?.events ?? [];
    return events.filter((e) => e.version >= fromVersion && e.version <= toVersion).map(toRecordedEvent);
  }

  async readAll(fromPosition = 0, limit = Number.POSITIVE_INFINITY): Promise<RecordedEvent[]> {
    this.assertOpen('read');
    return this.readAfter(fromPosition, limit);
  }

  async streamVersion(stream: string): Promise<number> {
    this.assertOpen('read');
    return this.log.streams.get(stream)?.head.version ?? 0;
  }

  async heads(prefix = ''): Promise<StreamHead[]> {
    this.assertOpen('read');
    const heads: StreamHead[] = [];
    for (const [stream, { head, events }] of this.log.streams) {
      const last = events.at(-1);
      if (!stream.startsWith(prefix) || last?.position !== head.lastPosition) continue;
      heads.push({ stream, version: head.version, lastEvent: toRecordedEvent(last) });
    }
    return heads;
  }

  subscribe(fromPosition: number, handler: EventHandler, options?: SubscribeOptions): Subscription {
    this.assertOpen('subscribe');
    return this.subscriptions.subscribe((from, limit) => this.readAfter(from, limit), this.commits, fromPosition, handler, options);
  }

  async verify(stream?: string): Promise<ChainProblem[]> {
    this.assertOpen('verify');
    const streams = stream === undefined ? [...this.log.streams.values()] : [this.log.streams.get(stream)].filter((s) => s !== undefined);
    return verifyChains(
      streams.flatMap((s) => s.events),
      streams.map((s) => s.head),
    );
  }

  async saveSnapshot(snapshot: StreamSnapshot): Promise<void> {
    this.assertOpen('append');
    const row = encodeSnapshot(snapshot);
    const event = this.log.streams.get(row.stream)?.events.find((e) => e.version === row.version);
    if (event?.hash !== row.hash) throw new SnapshotNotInChainError(row.stream, row.version);
    const kept = (this.log.snapshots.get(row.stream) ?? []).filter((s) => s.version !== row.version);
    kept.push(row);
    kept.sort((a, b) => a.version - b.version);
    this.log.snapshots.set(row.stream, kept);
  }

  async removeStream(stream: string, expectedVersion: number): Promise<void> {
    this.assertOpen('append');
    checkRemoval(stream, expectedVersion);
    const entry = this.log.streams.get(stream);
    const actual = entry?.head.version ?? 0;
    if (!entry || actual !== expectedVersion) throw new VersionConflictError(stream, expectedVersion, actual);
    const gone = new Set(entry.events);
    const kept = this.log.events.filter((e) => !gone.has(e));
    this.log.events.splice(0, this.log.events.length, ...kept);
    this.log.streams.delete(stream);
    this.log.snapshots.delete(stream);
  }

  async latestSnapshot(stream: string, atOrBefore?: number): Promise<StreamSnapshot | undefined> {
    this.assertOpen('read');
    const bound = snapshotBound(atOrBefore);
    const row = (this.log.snapshots.get(stream) ?? []).findLast((s) => s.version <= bound);
    return row && toStreamSnapshot(row);
  }

  /** In memory, an open store always takes writes. */
  async checkWritable(): Promise<void> {
    this.assertOpen('append');
  }

  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    this.closed = true;
    await this.subscriptions.closeAll();
  }

  private readAfter(fromPosition: number, limit: number): RecordedEvent[] {
    const events = this.log.events;
    let low = 0;
    let high = events.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (events[mid].position <= fromPosition) low = mid + 1;
      else high = mid;
    }
    return events.slice(low, low + limit).map(toRecordedEvent);
  }

  private assertOpen(what: string): void {
    if (this.closed) throw storeClosedError(what);
  }
}
