// One worker's share of the streams when several engine processes use one PostgreSQL store:
// it claims master sessions (fair share) and the jobs of their portals through the lease
// table, adopts each claimed stream into the actor host (rebuilt from the log), renews its
// leases on a heartbeat, gives final jobs back, and lets go of everything the moment its
// leases may have lapsed. It is the host's StreamOwnership: `owns` answers for job and master
// streams; other machine kinds (pool, workflow) are not partitioned yet and stay per process.
// The design is described at the top of postgres-stream-leases.ts.
import { performance } from 'node:perf_hooks';
import { EngineError, FencedOffError, type ActorHost, type ActorState, type CommandEvent, type EventStore, type Logger, type StateOf, type StreamOwnership, type StreamState } from '@engine/core';
import { JOB_MACHINE } from '@engine/machines';
import { CommandInbox, INBOX_PREFIX } from './command-inbox';
import type { ClaimedLease, PostgresStreamLeases } from './postgres-stream-leases';

const PARTITIONED_PREFIXES = ['job-', 'master-'];
/** A worker stops deciding at this share of the TTL after a renewal began, before anyone may claim. */
const LOCAL_DEADLINE_SHARE = 0.8;

export interface WorkerOwnershipOptions {
  leases: PostgresStreamLeases;
  inbox: CommandInbox;
  store: EventStore;
  /** The host whose streams this worker holds; its read feed tells which jobs exist and which are final. */
  host: ActorHost;
  logger: Logger;
  /** Portals with a master session (their `master-<portal>` rows are added at start). */
  portals: string[];
  /** Every master session to lease, with its portal (a portal's accounts); default: `master-<portal>` per portal. */
  masterSessions?: { stream: string; portal: string }[];
  /** Renewal interval. Default a quarter of the TTL. */
  heartbeatMs?: number;
  /** Job leases held at once by this worker. */
  maxHeldJobs: number;
  /** When set, job leases held at once by all workers together. */
  globalMaxHeldJobs?: number;
  /** Masters are given back above the fair share only this long after the last master claim. Default one TTL. */
  rebalanceAfterMs?: number;
  /** After a stream was adopted (e.g. heal a master session whose browser died with its last holder). */
  onAdopted?: (stream: string, state: ActorState) => Promise<void>;
  /** After a stream was taken or given up (the scheduler re-reads it). */
  onChanged?: (stream: string) => void;
}

interface Held {
  kind: 'job' | 'master';
  portal: string;
  /** Forwarded commands applied so far (inbox version). */
  inbox: number;
  /** The fencing token this worker claimed the stream with: its appends carry it. */
  fence: number;
}

export class WorkerOwnership implements StreamOwnership {
  private readonly held = new Map<string, Held>();
  private readonly known = new Set<string>();
  private readonly newRows: { stream: string; portal: string }[] = [];
  private readonly finished = new Set<string>();
  private readonly drains = new Map<string, Promise<unknown>>();
  private readonly heartbeatMs: number;
  private deadline = 0;
  private lastMasterClaim = 0;
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private renewing?: Promise<void>;
  private again = false;
  private balanceDue = false;
  private stopped = false;
  private unsubscribe: Array<() => void | Promise<void>> = [];

  constructor(private readonly options: WorkerOwnershipOptions) {
    this.heartbeatMs = options.heartbeatMs ?? Math.max(100, Math.floor(options.leases.ttlMs / 4));
  }

  get workerId(): string {
    return this.options.leases.workerId;
  }

  owns(stream: string): boolean {
    if (!PARTITIONED_PREFIXES.some((p) => stream.startsWith(p))) return true;
    return this.held.has(stream) && performance.now() < this.deadline;
  }

  fence(stream: string): number | undefined {
    return this.held.get(stream)?.fence;
  }

  /** Rejects unless the lease table still has this worker's token on `stream`, unexpired. */
  async confirm(stream: string): Promise<void> {
    const held = this.held.get(stream);
    if (!held || !this.owns(stream)) throw new EngineError('STREAM_NOT_OWNED', `stream ${stream} is no longer held by this worker`);
    const answer = await this.options.leases.confirm(stream, held.fence);
    if (!answer.held) throw new FencedOffError(stream, held.fence, answer.current);
  }

  forward(stream: string, event: CommandEvent): Promise<void> {
    // Ours, but the renewal is late: the command waits for it rather than being mailed to ourselves.
    if (this.held.has(stream)) return Promise.reject(new EngineError('LEASE_LAPSED', `the lease of ${stream} is being renewed; try again`));
    return this.options.inbox.forward(stream, event);
  }

  /** Streams this worker holds now, by kind. */
  holding(kind: 'job' | 'master'): string[] {
    return [...this.held].filter(([, h]) => h.kind === kind).map(([s]) => s);
  }

  /** Call after the host has started (its read feed is loaded). */
  async start(): Promise<void> {
    const { leases } = this.options;
    const feed = this.options.host.feed;
    await leases.ensureSchema();
    await leases.register();
    await leases.add(
      'master',
      this.options.masterSessions ?? this.options.portals.map((portal) => ({ stream: `master-${portal}`, portal })),
    );
    for (const entry of feed.allOf(JOB_MACHINE)) this.notice(entry);
    this.unsubscribe.push(
      feed.subscribe(({ entry }) => {
        const job = entry.kind === JOB_MACHINE.id ? feed.getOf(JOB_MACHINE, entry.stream.slice(JOB_MACHINE.streamPrefix.length)) : undefined;
        if (job) this.notice(job);
      }),
    );
    // Forwarded commands appended from now on wake their drain; older ones are drained on adoption.
    const subscription = this.options.store.subscribe(feed.caughtUpTo(), (event) => {
      if (event.stream.startsWith(INBOX_PREFIX)) this.inboxTouched(event.stream);
    });
    this.unsubscribe.push(() => subscription.close());
    // Renewal runs on its own beat, never queued behind claims and adoptions, which can be slow.
    this.timer = setInterval(() => this.heartbeat(), this.heartbeatMs);
    this.timer.unref?.();
    await this.heartbeat();
    await this.running;
  }

  private inboxTouched(inboxStream: string): void {
    const target = inboxStream.slice(INBOX_PREFIX.length);
    if (this.owns(target)) this.drain(target);
  }

  /** Stops claiming, gives every lease back (its streams are adopted elsewhere at once) and closes the lease pool. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    for (const off of this.unsubscribe) await off();
    await this.renewing?.catch(() => undefined);
    await this.running?.catch(() => undefined);
    await Promise.allSettled(this.drains.values());
    for (const stream of this.held.keys()) this.options.host.release(stream);
    this.held.clear();
    await this.options.leases.releaseAll().catch((error) => this.options.logger.warn('leases could not be given back; they expire', { code: codeOf(error) }));
    await this.options.leases.close();
  }

  /** A job stream seen in the log: a row to add while it is live, a lease to give back once it is final. */
  private notice(entry: StreamState<StateOf<typeof JOB_MACHINE>>): void {
    if (entry.state.status === 'active') {
      if (this.known.has(entry.stream)) return;
      this.known.add(entry.stream);
      this.newRows.push({ stream: entry.stream, portal: entry.state.context.portal });
      this.wake();
    } else if (this.held.has(entry.stream)) {
      this.finished.add(entry.stream);
      this.wake();
    }
  }

  /** Runs one pass now, or once more after the pass in progress. */
  private wake(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = (async () => {
      do {
        this.again = false;
        try {
          await this.pass();
        } catch (error) {
          this.options.logger.warn('lease pass failed; retried at the next heartbeat', { worker: this.workerId, code: codeOf(error) });
        }
      } while (this.again && !this.stopped);
    })().finally(() => (this.running = undefined));
  }

  /** Renews (unless the last renewal is still running), then lets a pass balance master sessions. */
  private heartbeat(): Promise<void> {
    if (this.stopped || this.renewing) return this.renewing ?? Promise.resolve();
    this.renewing = this.renew()
      .then(() => {
        this.balanceDue = true;
        this.wake();
      })
      .catch((error) => this.options.logger.warn('lease renewal failed; retried at the next heartbeat', { worker: this.workerId, code: codeOf(error) }))
      .finally(() => (this.renewing = undefined));
    return this.renewing;
  }

  /** Job turnover on every wake; master-session balance once per heartbeat. */
  private async pass(): Promise<void> {
    if (this.stopped || performance.now() >= this.deadline) return;
    await this.flushRows();
    await this.releaseFinished();
    if (this.balanceDue) {
      this.balanceDue = false;
      await this.claimMasters();
    }
    await this.claimJobs();
  }

  private async renew(): Promise<void> {
    const began = performance.now();
    // Past our own deadline, effects may have been cut and outcomes ignored: give everything
    // back and claim afresh, so whoever adopts next resolves them from the log.
    if (this.held.size > 0 && began >= this.deadline) {
      this.options.logger.warn('leases lapsed; giving every stream back', { worker: this.workerId, streams: this.held.size });
      const all = [...this.held.keys()];
      for (const stream of all) this.letGo(stream);
      await this.options.leases.release(all, false);
    }
    // Only what was held when the renewal began can be judged by it: a claim committing while
    // it runs is not in its answer and must not count as lost.
    const judged = new Set(this.held.keys());
    const renewed = await this.options.leases.renew([...judged]);
    if (!renewed.has(`worker:${this.workerId}`)) await this.options.leases.register();
    if (this.held.size > 0 && performance.now() >= this.deadline) {
      // The renewal came back after our deadline: meanwhile `owns` said no (a command may have
      // been refused, the scheduler may have dropped a job). Start afresh rather than guess.
      this.options.logger.warn('lease renewal came back late; giving every stream back', { worker: this.workerId, streams: this.held.size });
      const all = [...this.held.keys()];
      for (const stream of all) this.letGo(stream);
      await this.options.leases.release(all, false);
      return;
    }
    this.deadline = began + this.options.leases.ttlMs * LOCAL_DEADLINE_SHARE;
    const lost: string[] = [];
    for (const stream of [...this.held.keys()]) {
      if (!judged.has(stream)) continue;
      if (!renewed.has(stream)) {
        this.options.logger.warn('lease lost', { worker: this.workerId, stream });
        this.letGo(stream);
        lost.push(stream);
      } else if (stream.startsWith('job-')) this.options.onChanged?.(stream); // re-read by the scheduler: nothing held stays unscheduled
    }
    // Expired but not yet claimed by anyone: free it now, so it can never stay ours unattended.
    await this.options.leases.release(lost, false);
  }

  private async flushRows(): Promise<void> {
    if (this.newRows.length === 0) return;
    const rows = this.newRows.splice(0);
    try {
      await this.options.leases.add('job', rows);
    } catch (error) {
      this.newRows.push(...rows);
      throw error;
    }
  }

  private async releaseFinished(): Promise<void> {
    if (this.finished.size === 0) return;
    const streams = [...this.finished];
    this.finished.clear();
    for (const stream of streams) {
      this.held.delete(stream);
      this.options.onChanged?.(stream);
    }
    await this.options.leases.release(streams, true);
  }

  private async claimMasters(): Promise<void> {
    const { leases } = this.options;
    const [workers, masters] = await Promise.all([leases.liveWorkers(), leases.masterCount()]);
    const share = Math.ceil(masters / Math.max(1, workers));
    const mine = this.holding('master');
    if (mine.length > share && performance.now() - this.lastMasterClaim > (this.options.rebalanceAfterMs ?? leases.ttlMs)) {
      await this.giveBack(mine[mine.length - 1]);
      return;
    }
    for (const lease of await leases.claimMasters(share - mine.length)) {
      this.lastMasterClaim = performance.now();
      await this.take(lease, 'master');
    }
  }

  private async claimJobs(): Promise<void> {
    const portals = this.holding('master').map((s) => (this.held.get(s) as Held).portal);
    const room = this.options.maxHeldJobs - this.holding('job').length;
    const leases = await this.options.leases.claimJobs(portals, room, this.options.globalMaxHeldJobs);
    await Promise.all(leases.map((lease) => this.take(lease, 'job')));
  }

  /** A claimed lease: rebuild the stream from the log, then apply what was forwarded to it meanwhile. */
  private async take(lease: ClaimedLease, kind: 'job' | 'master'): Promise<void> {
    this.held.set(lease.stream, { kind, portal: lease.portal ?? '', inbox: lease.inboxVersion, fence: lease.fence });
    const state = await this.options.host.adopt(lease.stream);
    if (!state || state.status !== 'active') {
      // Final (or not written yet): nothing to run; a final job is never claimed again.
      if (kind === 'job' && state) {
        this.finished.add(lease.stream);
        this.wake();
      }
      else if (!state) {
        this.held.delete(lease.stream);
        await this.options.leases.release([lease.stream], false);
      }
      return;
    }
    if (!this.owns(lease.stream)) return; // lapsed while adopting: the next claimer starts afresh
    this.options.logger.info('stream adopted', { worker: this.workerId, stream: lease.stream });
    await this.options.onAdopted?.(lease.stream, state);
    this.options.onChanged?.(lease.stream);
    this.drain(lease.stream);
  }

  /** A master session above our fair share goes back, with the jobs of its portal. */
  private async giveBack(master: string): Promise<void> {
    const portal = (this.held.get(master) as Held).portal;
    const streams = [master, ...this.holding('job').filter((s) => this.held.get(s)?.portal === portal)];
    this.options.logger.info('master session given back for balance', { worker: this.workerId, stream: master, jobs: streams.length - 1 });
    for (const stream of streams) this.letGo(stream);
    await this.options.leases.release(streams, false);
  }

  private letGo(stream: string): void {
    this.held.delete(stream);
    this.options.host.release(stream);
    this.options.onChanged?.(stream);
  }

  /** Applies the stream's forwarded commands, one drain at a time per stream. */
  private drain(stream: string): void {
    const previous = this.drains.get(stream) ?? Promise.resolve();
    const next = previous
      .then(async () => {
        const held = this.held.get(stream);
        if (!held || !this.owns(stream)) return;
        held.inbox = await this.options.inbox.drain(stream, held.inbox, held.fence, () => this.held.get(stream) === held && this.owns(stream));
      })
      .catch((error) => this.options.logger.warn('forwarded commands not applied yet', { stream, code: codeOf(error) }));
    this.drains.set(stream, next);
    void next.then(() => {
      if (this.drains.get(stream) === next) this.drains.delete(stream);
    });
  }
}

function codeOf(error: unknown): string {
  return (error as { code?: string })?.code ?? (error instanceof Error ? error.name : 'UNKNOWN');
}
