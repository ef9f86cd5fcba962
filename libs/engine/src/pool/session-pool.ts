// The keep-alive session pool: logged-in portal sessions keyed by a hash of their credentials,
// each one a `pool-<key>` stream of the pooled-session machine, so the pool's state is events.
// `withSession` leases a session to one holder and always releases it (return, throw, abort);
// a holder that crashed loses its lease when the machine's durable lease-expiry timer fires.
// The machine's keep-alive refresh never runs under a holder. At the maximum size, the least
// recently used idle session is evicted (its browser context closed) to make room.
//
// The runtime implements the machine's effects (open, refresh, close) and reports their
// outcomes itself before waking the callers waiting on that session, so a waiter always sees
// the recorded state and never races the host.
import { AbortedError, EngineError, InvalidCommandError, RandomIdGenerator, ValidationError, VersionConflictError, silentLogger } from '@engine/core';
import type { ActorHost, ActorState, Clock, EffectContext, EffectRegistry, EngineEvent, IdGenerator, Logger } from '@engine/core';
import { POOLED_SESSION_MACHINE, type CloseSessionParams, type OpenSessionParams, type PooledSessionContext, type RefreshSessionParams } from '@engine/machines';
import { LeaseRevokedError, PoolExhaustedError, PoolSessionUnavailableError } from './pool-errors';
import { poolKey, type PoolCredentials } from './pool-key';
import type { PoolSessionFactory, PoolSessionHandle } from './pool-session-factory';

export interface SessionPoolOptions<S> {
  factory: PoolSessionFactory<S>;
  clock: Clock;
  ids?: IdGenerator;
  logger?: Logger;
  /** Most sessions open at once (opening, idle, leased, refreshing, closing); default 10. */
  maxSize?: number;
  /** Keep-alive refresh interval; default 60 000. */
  refreshMs?: number;
  /** How long a lease lasts before it is presumed abandoned; default 300 000. */
  leaseTtlMs?: number;
  /** A deployment secret: keys become HMACs of the credentials. */
  pepper?: string;
}

export interface LeaseOptions {
  signal?: AbortSignal;
  ttlMs?: number;
}

export interface PoolLease<S> {
  readonly leaseId: string;
  readonly key: string;
  readonly session: S;
  /** Aborted when the caller aborts, the lease expires, or the pool closes the session. */
  readonly signal: AbortSignal;
  /** Gives the session back; safe to call twice, and after the lease expired. */
  release(): Promise<void>;
}

interface Slot<S> {
  key: string;
  stream: string;
  portal: string;
  /** In memory only, for opening: never recorded. */
  credentials: PoolCredentials | null;
  handle: PoolSessionHandle<S> | null;
  lease: { leaseId: string; controller: AbortController } | null;
  /** Bumped on every recorded change of this session; waiters compare it to what they saw. */
  changes: number;
  wakers: Set<() => void>;
}

const OPEN_STATES = ['opening', 'idle', 'leased', 'refreshing', 'closing'];
const RESTING_STATES = ['expired', 'evicted', 'closed', 'failed'];
/** Opens one lease call may attempt before it gives up on a session that keeps failing. */
const MAX_OPENS_PER_LEASE = 2;

export class SessionPool<S> {
  readonly maxSize: number;
  readonly refreshMs: number;
  readonly leaseTtlMs: number;
  private readonly factory: PoolSessionFactory<S>;
  private readonly clock: Clock;
  private readonly ids: IdGenerator;
  private readonly logger: Logger;
  private readonly pepper: string | undefined;
  private readonly slots = new Map<string, Slot<S>>();
  private host: ActorHost | null = null;
  /** Making room and opening are serialized, so two callers cannot both take the last place. */
  private admission: Promise<unknown> = Promise.resolve();

  constructor(options: SessionPoolOptions<S>) {
    this.factory = options.factory;
    this.clock = options.clock;
    this.ids = options.ids ?? new RandomIdGenerator();
    this.logger = options.logger ?? silentLogger;
    this.maxSize = options.maxSize ?? 10;
    this.refreshMs = options.refreshMs ?? 60_000;
    this.leaseTtlMs = options.leaseTtlMs ?? 300_000;
    this.pepper = options.pepper;
    for (const [name, value] of Object.entries({ maxSize: this.maxSize, refreshMs: this.refreshMs, leaseTtlMs: this.leaseTtlMs })) positiveInteger(name, value);
  }

  /** The host must run POOLED_SESSION_MACHINE with this pool's `effects()` registered. */
  attach(host: ActorHost): this {
    this.host = host;
    return this;
  }

  keyOf(credentials: PoolCredentials): string {
    return poolKey(credentials, this.pepper);
  }

  /** Handlers for the pooled-session machine's effects; merge into the host's registry. */
  effects(): EffectRegistry {
    return {
      openSession: { run: (params: OpenSessionParams, ctx) => this.openSession(params, ctx) },
      refreshSession: { run: (params: RefreshSessionParams, ctx) => this.refreshSession(params, ctx) },
      closeSession: { run: (params: CloseSessionParams, ctx) => this.closeSession(params, ctx) },
    };
  }

  /** Leases the session for these credentials, runs `fn`, and releases it whatever happens. */
  async withSession<T>(credentials: PoolCredentials, fn: (session: S, signal: AbortSignal) => Promise<T>, options: LeaseOptions = {}): Promise<T> {
    const lease = await this.lease(credentials, options);
    try {
      return await fn(lease.session, lease.signal);
    } finally {
      await lease.release();
    }
  }

  /** The lower-level lease `withSession` is built on: the caller must release it. */
  async lease(credentials: PoolCredentials, options: LeaseOptions = {}): Promise<PoolLease<S>> {
    const host = this.requireHost();
    const slot = this.slotFor(this.keyOf(credentials), credentials.portal);
    slot.credentials = credentials;
    const signal = options.signal;
    const ttlMs = positiveInteger('ttlMs', options.ttlMs ?? this.leaseTtlMs);
    let opens = 0;
    for (;;) {
      if (signal?.aborted) throw new AbortedError('lease pooled session', signal.reason);
      const seen = slot.changes;
      const current = await host.getState(slot.stream);
      const value = current?.state.value as string | undefined;
      if (value === undefined || RESTING_STATES.includes(value)) {
        if (opens >= MAX_OPENS_PER_LEASE || (opens > 0 && value === 'failed')) {
          throw new PoolSessionUnavailableError(slot.key, contextOf(current?.state)?.lastFailure ?? value ?? 'UNKNOWN');
        }
        opens += 1;
        await this.admit(slot);
      } else if (value === 'idle' && !slot.handle) {
        // Restored from the log after a restart: the browser behind it is gone. Close, then reopen.
        await this.sendTolerant(slot.stream, { type: 'CLOSE' });
      } else if (value === 'idle') {
        const lease = await this.tryLease(slot, ttlMs, signal);
        if (lease) return lease;
      } else {
        await this.changed(slot, seen, signal);
      }
    }
  }

  /** Sessions currently open (opening, idle, leased, refreshing or closing). */
  async size(): Promise<number> {
    return (await this.openSessions()).length;
  }

  /** Closes every session (holders' signals are aborted) and waits until each is closed. */
  async close(): Promise<void> {
    const host = this.requireHost();
    for (const stream of host.liveStreams(POOLED_SESSION_MACHINE.streamPrefix)) {
      const slot = this.slotForStream(stream, (await host.getState(stream))?.state);
      for (;;) {
        const seen = slot.changes;
        const value = (await host.getState(stream))?.state.value as string;
        if (RESTING_STATES.includes(value)) break;
        if (value === 'idle' || value === 'leased') await this.sendTolerant(stream, { type: 'CLOSE' });
        else await this.changed(slot, seen);
      }
    }
  }

  private async tryLease(slot: Slot<S>, ttlMs: number, signal: AbortSignal | undefined): Promise<PoolLease<S> | null> {
    const host = this.requireHost();
    const leaseId = this.ids.next('lease');
    try {
      const now = this.clock.now();
      await host.send(slot.stream, { type: 'LEASE', leaseId, at: new Date(now).toISOString(), expiresAt: new Date(now + ttlMs).toISOString() });
    } catch (error) {
      if (error instanceof InvalidCommandError) return null; // another holder was faster
      throw error;
    }
    const controller = new AbortController();
    slot.lease = { leaseId, controller };
    const onAbort = () => controller.abort(new AbortedError('pooled session lease', signal?.reason));
    signal?.addEventListener('abort', onAbort, { once: true });
    let released = false;
    return {
      leaseId,
      key: slot.key,
      session: (slot.handle as PoolSessionHandle<S>).session,
      signal: controller.signal,
      release: async () => {
        if (released) return;
        released = true;
        signal?.removeEventListener('abort', onAbort);
        if (slot.lease?.leaseId === leaseId) slot.lease = null;
        // Refused when the lease already expired or the session was closed: nothing to give back.
        await this.sendTolerant(slot.stream, { type: 'RELEASE', leaseId, at: this.isoNow() });
        this.wake(slot);
      },
    };
  }

  private admit(slot: Slot<S>): Promise<void> {
    const run = this.admission.then(() => this.makeRoomAndOpen(slot));
    this.admission = run.catch(() => undefined);
    return run;
  }

  private async makeRoomAndOpen(slot: Slot<S>): Promise<void> {
    const host = this.requireHost();
    const value = (await host.getState(slot.stream))?.state.value as string | undefined;
    if (value !== undefined && !RESTING_STATES.includes(value)) return; // another caller opened it meanwhile
    await this.makeRoom(slot.stream);
    try {
      if (value === undefined) await host.create(POOLED_SESSION_MACHINE.id, slot.key, { key: slot.key, portal: slot.portal, refreshMs: this.refreshMs });
      else await host.send(slot.stream, { type: 'REOPEN' });
    } catch (error) {
      if (!(error instanceof VersionConflictError) && !(error instanceof InvalidCommandError)) throw error;
    }
  }

  /** Evicts least-recently-used idle sessions until one more fits; throws when all are busy. */
  private async makeRoom(forStream: string): Promise<void> {
    for (;;) {
      const open = (await this.openSessions()).filter((s) => s.stream !== forStream);
      if (open.length < this.maxSize) return;
      const idle = open.filter((s) => s.state.value === 'idle').sort((a, b) => lastUsed(a.state).localeCompare(lastUsed(b.state)) || a.stream.localeCompare(b.stream));
      const victim = idle[0];
      if (!victim) {
        const settling = open.find((s) => s.state.value !== 'leased');
        if (settling) {
          // A session still opening, refreshing or closing will settle; look again after it did.
          const slot = this.slotForStream(settling.stream, settling.state);
          await this.changed(slot, slot.changes);
          continue;
        }
        throw new PoolExhaustedError(this.maxSize);
      }
      const slot = this.slotForStream(victim.stream, victim.state);
      const seen = slot.changes;
      if (await this.sendTolerant(victim.stream, { type: 'EVICT' })) {
        this.logger.info('pooled session evicted', { stream: victim.stream });
        await this.changed(slot, seen);
      }
    }
  }

  private async openSessions(): Promise<{ stream: string; state: ActorState }[]> {
    const host = this.requireHost();
    const all = await Promise.all(
      host.liveStreams(POOLED_SESSION_MACHINE.streamPrefix).map(async (stream) => ({ stream, state: (await host.getState(stream))!.state })),
    );
    return all.filter((s) => OPEN_STATES.includes(s.state.value as string));
  }

  // ── Effects ────────────────────────────────────────────────────────────────────────────

  private async openSession(params: OpenSessionParams, ctx: EffectContext): Promise<void> {
    const slot = this.slotFor(params.key, params.portal);
    let event: EngineEvent;
    if (!slot.credentials) {
      event = { type: 'OPEN_FAILED', reason: 'NO_CREDENTIALS' }; // a restart forgot them; the next lease brings them
    } else {
      try {
        if (slot.handle) await this.closeHandle(slot);
        slot.handle = await this.factory.open(slot.credentials, ctx.signal);
        event = { type: 'SESSION_OPENED', at: this.isoNow() };
      } catch (error) {
        event = { type: 'OPEN_FAILED', reason: codeOf(error) };
      }
    }
    await this.answer(slot, ctx, event);
  }

  private async refreshSession(params: RefreshSessionParams, ctx: EffectContext): Promise<void> {
    const slot = this.slotFor(params.key, contextOf(ctx.state)?.portal ?? '');
    if (params.expiredLeaseId && slot.lease?.leaseId === params.expiredLeaseId) {
      // The holder is presumed crashed; should it still be running, it must stop now.
      slot.lease.controller.abort(new LeaseRevokedError(params.expiredLeaseId, 'expired'));
      slot.lease = null;
      this.logger.warn('pooled session lease expired', { stream: slot.stream, leaseId: params.expiredLeaseId });
    }
    let event: EngineEvent;
    if (!slot.handle) {
      event = { type: 'REFRESH_FAILED', reason: 'NO_LIVE_SESSION' };
    } else {
      try {
        const verdict = await slot.handle.refresh(ctx.signal);
        event = verdict.ok ? { type: 'REFRESHED', at: this.isoNow() } : { type: 'REFRESH_FAILED', reason: verdict.reason };
      } catch (error) {
        event = { type: 'REFRESH_FAILED', reason: codeOf(error) };
      }
    }
    await this.answer(slot, ctx, event);
  }

  private async closeSession(params: CloseSessionParams, ctx: EffectContext): Promise<void> {
    const slot = this.slotFor(params.key, contextOf(ctx.state)?.portal ?? '');
    if (slot.lease) {
      slot.lease.controller.abort(new LeaseRevokedError(slot.lease.leaseId, 'closed'));
      slot.lease = null;
    }
    await this.closeHandle(slot);
    await this.answer(slot, ctx, { type: 'SESSION_CLOSED' });
  }

  private async closeHandle(slot: Slot<S>): Promise<void> {
    const handle = slot.handle;
    slot.handle = null;
    try {
      await handle?.close();
    } catch (error) {
      this.logger.warn('pooled session did not close cleanly', { stream: slot.stream, code: codeOf(error) });
    }
  }

  /** Records the effect's outcome, then wakes whoever waits on this session. */
  private async answer(slot: Slot<S>, ctx: EffectContext, event: EngineEvent): Promise<void> {
    try {
      await this.requireHost().report(ctx.stream, ctx.effectId, event);
    } finally {
      this.wake(slot);
    }
  }

  // ── Waiting ────────────────────────────────────────────────────────────────────────────

  private wake(slot: Slot<S>): void {
    slot.changes += 1;
    for (const waker of [...slot.wakers]) waker();
  }

  /** Resolves at the slot's next change after `seen` (at once if one happened already), or on abort. */
  private changed(slot: Slot<S>, seen: number, signal?: AbortSignal): Promise<void> {
    if (slot.changes !== seen || signal?.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        slot.wakers.delete(done);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      slot.wakers.add(done);
      signal?.addEventListener('abort', done, { once: true });
    });
  }

  private async sendTolerant(stream: string, event: EngineEvent): Promise<boolean> {
    try {
      await this.requireHost().send(stream, event);
      return true;
    } catch (error) {
      if (error instanceof InvalidCommandError) return false;
      throw error;
    }
  }

  private slotFor(key: string, portal: string): Slot<S> {
    let slot = this.slots.get(key);
    if (!slot) {
      slot = { key, stream: `${POOLED_SESSION_MACHINE.streamPrefix}${key}`, portal, credentials: null, handle: null, lease: null, changes: 0, wakers: new Set() };
      this.slots.set(key, slot);
    }
    return slot;
  }

  private slotForStream(stream: string, state: ActorState | undefined): Slot<S> {
    const context = contextOf(state);
    return this.slotFor(stream.slice(POOLED_SESSION_MACHINE.streamPrefix.length), context?.portal ?? '');
  }

  private requireHost(): ActorHost {
    if (!this.host) throw new EngineError('POOL_NOT_ATTACHED', 'session pool is not attached to an actor host');
    return this.host;
  }

  private isoNow(): string {
    return new Date(this.clock.now()).toISOString();
  }
}

function contextOf(state: ActorState | undefined): PooledSessionContext | undefined {
  return state?.context as PooledSessionContext | undefined;
}

function lastUsed(state: ActorState): string {
  const context = contextOf(state);
  return context?.lastUsedAt ?? context?.openedAt ?? '';
}

/** The machine refuses a lease without a future expiry; refuse it here, where the caller can be told. */
function positiveInteger(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) throw new ValidationError(`${name} must be a positive integer`, { [name]: `got ${value}` });
  return value;
}

function codeOf(error: unknown): string {
  return error instanceof EngineError ? error.code : error instanceof Error ? error.name : 'UNKNOWN';
}
