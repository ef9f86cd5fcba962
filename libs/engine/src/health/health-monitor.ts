// The health monitor: a heartbeat on every registered browser session, and operations that
// declare which session they depend on. When a session dies (its browser disconnects, its
// heartbeat misses too often, or someone reports it), the operations in flight on it are
// aborted through their AbortSignal and recorded as cancelled by that death, and new ones do
// not start: they wait, with the reason, until the session is healthy again (a good probe or a
// re-registered session) or their caller cancels them. A batch then shows one root cause.
//
// In-process rather than one heartbeat machine stream per session: a browser session does not
// outlive this process, so its health is not worth a durable stream, and the heartbeat
// machine's `dead` is final while a session here can come back (a new browser under its id).
import { AbortedError, EngineError, errorCode, NotFoundError, RandomIdGenerator, TimeoutError, silentLogger } from '@engine/core';
import type { Clock, IdGenerator, Logger, TimerHandle } from '@engine/core';
import type { MonitoredSession, ProbeVerdict } from './monitored-session';
import { OperationCancelledError } from './operation-cancelled-error';
import { OperationBatch, type InternalRunOptions, type RunOptions } from './operation-batch';
import { deathReason, type OperationRecord, type SessionDeath } from './operation-record';

export interface HealthMonitorOptions {
  clock: Clock;
  logger?: Logger;
  ids?: IdGenerator;
  /** Heartbeat probe interval per session; default 30 000. */
  heartbeatMs?: number;
  /** A probe without a verdict by then is a miss; default 10 000. */
  probeTimeoutMs?: number;
  /** Misses in a row that make a session dead; default 2. */
  maxMisses?: number;
}

export type SessionHealth = { status: 'healthy' } | { status: 'dead'; death: SessionDeath };

interface Flight {
  record: OperationRecord;
  controller: AbortController;
  death: SessionDeath | null;
}

interface Entry {
  id: string;
  session: MonitoredSession | null;
  death: SessionDeath | null;
  misses: number;
  heartbeat: TimerHandle | null;
  unsubscribe: () => void;
  inflight: Set<Flight>;
  /** Called when the session is healthy again (or the monitor closes). */
  wakers: Set<() => void>;
}

export class HealthMonitor {
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly ids: IdGenerator;
  private readonly heartbeatMs: number;
  private readonly probeTimeoutMs: number;
  private readonly maxMisses: number;
  private readonly sessions = new Map<string, Entry>();
  private closedDeath: SessionDeath | null = null;

  constructor(options: HealthMonitorOptions) {
    this.clock = options.clock;
    this.logger = options.logger ?? silentLogger;
    this.ids = options.ids ?? new RandomIdGenerator();
    this.heartbeatMs = options.heartbeatMs ?? 30_000;
    this.probeTimeoutMs = options.probeTimeoutMs ?? 10_000;
    this.maxMisses = options.maxMisses ?? 2;
  }

  /** Starts watching a session; registering again under the same id replaces it and makes it healthy. */
  register(sessionId: string, session: MonitoredSession): void {
    if (this.closedDeath) throw new EngineError('MONITOR_CLOSED', 'health monitor is closed');
    const entry = this.sessions.get(sessionId) ?? this.newEntry(sessionId);
    this.detach(entry);
    entry.session = session;
    entry.misses = 0;
    entry.unsubscribe = session.onDisconnected?.((cause) => this.markDead(entry, session, cause)) ?? (() => undefined);
    this.armHeartbeat(entry, session);
    if (entry.death) this.markHealthy(entry);
  }

  /** Stops watching a session: it counts as dead (`cause`) until registered again. */
  unregister(sessionId: string, cause = 'session closed'): void {
    const entry = this.sessions.get(sessionId);
    if (!entry?.session) return;
    const session = entry.session;
    this.markDead(entry, session, cause);
    this.detach(entry);
  }

  /** A death observed elsewhere (e.g. the master session's recovery found the browser gone). */
  reportDead(sessionId: string, cause: string): void {
    const entry = this.entry(sessionId);
    if (entry.session) this.markDead(entry, entry.session, cause);
  }

  /** Whether the session was ever registered (a session without a browser yet has nothing to wait for). */
  watches(sessionId: string): boolean {
    return this.sessions.has(sessionId);
  }

  health(sessionId: string): SessionHealth {
    const entry = this.entry(sessionId);
    return entry.death ? { status: 'dead', death: entry.death } : { status: 'healthy' };
  }

  /**
   * Runs `fn` as an operation that depends on `sessionId`. Waits while the session is dead
   * (or, with `whenDead: 'cancel'`, is cancelled by the death at once);
   * rejects with OperationCancelledError when the session dies under it (its signal is
   * aborted), with AbortedError when the caller cancels, or with the operation's own error.
   */
  run<T>(sessionId: string, name: string, fn: (signal: AbortSignal) => Promise<T>, options: RunOptions = {}): Promise<T> {
    return this.runRecorded(sessionId, name, fn, options);
  }

  /** A batch: runs operations like `run` and keeps their records for one summary. */
  batch(): OperationBatch {
    return new OperationBatch((sessionId, name, fn, options) => this.runRecorded(sessionId, name, fn, options));
  }

  /** True once closed: nothing can register any more. */
  get closed(): boolean {
    return this.closedDeath !== null;
  }

  /**
   * Stops every heartbeat; operations still waiting are cancelled, those in flight aborted, with
   * `cause` as their root cause. A deliberate end (the engine stopping), so it is logged once at
   * info level: no session died. Sessions unregistered afterwards (their browsers closing) are quiet.
   */
  close(cause = 'health monitor closed'): void {
    if (this.closedDeath) return;
    let sessions = 0;
    for (const entry of this.sessions.values()) {
      if (entry.session && !entry.death) {
        sessions += 1;
        this.markDead(entry, entry.session, cause, 'deliberate');
      }
      this.detach(entry);
    }
    this.closedDeath = { sessionId: '*', cause, at: this.isoNow() };
    this.logger.info('health monitor closed', { cause, sessions });
    for (const entry of this.sessions.values()) this.wake(entry);
  }

  private async runRecorded<T>(sessionId: string, name: string, fn: (signal: AbortSignal) => Promise<T>, options: InternalRunOptions): Promise<T> {
    const entry = this.entry(sessionId);
    const record: OperationRecord = { id: this.ids.next('op'), sessionId, name, status: 'running' };
    options.onRecord?.(record);
    const caller = options.signal;
    const settle = (patch: Partial<OperationRecord>) => {
      Object.assign(record, patch);
      if (record.status !== 'waiting') delete record.waiting;
      options.onChange?.();
    };

    while (entry.death || this.closedDeath) {
      const death = (entry.death ?? this.closedDeath) as SessionDeath;
      if (this.closedDeath || options.whenDead === 'cancel') {
        settle({ status: 'cancelled', cancelledBy: 'session', rootCause: death });
        throw new OperationCancelledError(name, death);
      }
      if (caller?.aborted) {
        settle({ status: 'cancelled', cancelledBy: 'caller', rootCause: death });
        throw new AbortedError(name, caller.reason);
      }
      settle({ status: 'waiting', waiting: { reason: deathReason(death) }, rootCause: death });
      await this.untilHealthy(entry, caller);
    }
    if (caller?.aborted) {
      settle({ status: 'cancelled', cancelledBy: 'caller' });
      throw new AbortedError(name, caller.reason);
    }

    delete record.rootCause;
    settle({ status: 'running' });
    const flight: Flight = { record, controller: new AbortController(), death: null };
    entry.inflight.add(flight);
    const onCallerAbort = () => flight.controller.abort(new AbortedError(name, caller?.reason));
    caller?.addEventListener('abort', onCallerAbort, { once: true });
    try {
      const result = await fn(flight.controller.signal);
      settle({ status: 'succeeded' });
      return result;
    } catch (error) {
      // The operation may notice the dead browser before its disconnect event arrives: its
      // failure is the death's, not its own.
      if (!flight.death && entry.session && entry.session.isAlive?.() === false) this.markDead(entry, entry.session, 'browser disconnected');
      if (flight.death) {
        settle({ status: 'cancelled', cancelledBy: 'session', rootCause: flight.death });
        throw new OperationCancelledError(name, flight.death);
      }
      if (caller?.aborted) {
        settle({ status: 'cancelled', cancelledBy: 'caller' });
        throw error;
      }
      settle({ status: 'failed', errorCode: codeOf(error) });
      throw error;
    } finally {
      entry.inflight.delete(flight);
      caller?.removeEventListener('abort', onCallerAbort);
    }
  }

  private untilHealthy(entry: Entry, caller: AbortSignal | undefined): Promise<void> {
    return new Promise<void>((resolve) => {
      const done = () => {
        entry.wakers.delete(done);
        caller?.removeEventListener('abort', done);
        resolve();
      };
      entry.wakers.add(done);
      caller?.addEventListener('abort', done, { once: true });
    });
  }

  private markDead(entry: Entry, session: MonitoredSession, cause: string, how: 'died' | 'deliberate' = 'died'): void {
    if (entry.session !== session || entry.death) return;
    const death: SessionDeath = { sessionId: entry.id, cause, at: this.isoNow() };
    entry.death = death;
    for (const flight of entry.inflight) {
      flight.death = death;
      flight.controller.abort(new OperationCancelledError(flight.record.name, death));
    }
    // One line per death, however many operations it takes down; none for a deliberate close.
    if (how === 'died') this.logger.error('session dead', { sessionId: entry.id, cause, cancelled: entry.inflight.size });
    else if (entry.inflight.size > 0) this.logger.info('operations cancelled', { sessionId: entry.id, cause, cancelled: entry.inflight.size });
  }

  private markHealthy(entry: Entry): void {
    const death = entry.death;
    entry.death = null;
    entry.misses = 0;
    this.logger.info('session healthy again', { sessionId: entry.id, deadSince: death?.at });
    this.wake(entry);
  }

  private wake(entry: Entry): void {
    for (const waker of [...entry.wakers]) waker();
  }

  private armHeartbeat(entry: Entry, session: MonitoredSession): void {
    entry.heartbeat = this.clock.schedule(this.clock.now() + this.heartbeatMs, () => {
      void this.beat(entry, session);
    });
  }

  private async beat(entry: Entry, session: MonitoredSession): Promise<void> {
    const verdict = await this.probeOnce(session);
    if (entry.session !== session || this.closedDeath) return; // replaced or unregistered meanwhile
    if (verdict.ok) {
      entry.misses = 0;
      if (entry.death) this.markHealthy(entry);
    } else {
      entry.misses += 1;
      if (entry.misses >= this.maxMisses) this.markDead(entry, session, `heartbeat: ${verdict.reason}`);
    }
    this.armHeartbeat(entry, session);
  }

  private async probeOnce(session: MonitoredSession): Promise<ProbeVerdict> {
    const controller = new AbortController();
    const timeout = new TimeoutError('heartbeat probe', this.probeTimeoutMs);
    const deadline = this.clock.schedule(this.clock.now() + this.probeTimeoutMs, () => controller.abort(timeout));
    const expired = new Promise<ProbeVerdict>((resolve) =>
      controller.signal.addEventListener('abort', () => resolve({ ok: false, reason: 'TIMEOUT' }), { once: true }),
    );
    try {
      return await Promise.race([session.probe(controller.signal).catch((error: unknown): ProbeVerdict => ({ ok: false, reason: codeOf(error) })), expired]);
    } finally {
      deadline.cancel();
      if (!controller.signal.aborted) controller.abort();
    }
  }

  private detach(entry: Entry): void {
    entry.heartbeat?.cancel();
    entry.heartbeat = null;
    entry.unsubscribe();
    entry.unsubscribe = () => undefined;
  }

  private newEntry(id: string): Entry {
    const entry: Entry = { id, session: null, death: null, misses: 0, heartbeat: null, unsubscribe: () => undefined, inflight: new Set(), wakers: new Set() };
    this.sessions.set(id, entry);
    return entry;
  }

  private entry(sessionId: string): Entry {
    const entry = this.sessions.get(sessionId);
    if (!entry) throw new NotFoundError('monitored session', sessionId);
    return entry;
  }

  private isoNow(): string {
    return new Date(this.clock.now()).toISOString();
  }
}

function codeOf(error: unknown): string {
  return errorCode(error) ?? (error instanceof Error ? error.name : 'UNKNOWN');
}
