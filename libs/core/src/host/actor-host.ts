// The actor host: runs the engine loop of shared/DESIGN.md for every stream.
//   decide (pure step) → append with expectedVersion (the commit point) → only then run effects.
// It restores live streams at start from the snapshot in their last event, re-arms durable
// timers, and hands effects that started but never reported to their interrupted-policy.
// With a StreamOwnership (several workers on one store) it does all of that only for the
// streams this process holds: `adopt` takes one over later, `release` lets it go, and a
// command for a stream held elsewhere is forwarded instead of decided here. Its appends carry
// the lease's fencing token, so a store shared by several processes refuses the writes of a
// holder whose lease has passed on, and effects start only while the stream is held.
import type { AnyMachineSnapshot } from 'xstate';
import type { Clock, TimerHandle } from '../clock';
import { EngineError, FencedOffError, InvalidCommandError, NotFoundError, ValidationError, VersionConflictError } from '../errors';
import type { EventStore } from '../event-store';
import { silentLogger, type Logger } from '../logger';
import type { ActorState } from './actor-state';
import type { EffectContext, EffectFailedEvent, EffectRegistry, EngineEvent } from './effects';
import { timerEventType, type MachineDefinition } from './machine-definition';
import { resolveSnapshot, stepEvent, stepStart, type StartedEffect, type StepResult } from './step';

export interface ActorHostOptions {
  store: EventStore;
  clock: Clock;
  definitions: MachineDefinition[];
  effects: EffectRegistry;
  logger?: Logger;
  /** How often a decision is retried after losing a version race (each time re-read and re-decided). */
  maxConflictRetries?: number;
}

export interface InterruptedEffect {
  stream: string;
  effectId: string;
  type: string;
  policy: 'rerun' | 'reconcile';
}

export interface RestoreReport {
  restored: number;
  skippedFinal: number;
  timersArmed: number;
  interrupted: InterruptedEffect[];
  /** Streams whose recorded machine version differs from the registered one. */
  versionDrift: { stream: string; recorded: string; registered: string }[];
}

/**
 * Which streams this process decides for, when several processes share one store. Without it
 * (the single-process default) the host owns every stream.
 */
export interface StreamOwnership {
  /** Whether this process holds `stream` now (its lease is current). */
  owns(stream: string): boolean;
  /** Hands a command for a stream this process does not hold to whoever holds it (or will). */
  forward(stream: string, event: EngineEvent): Promise<void>;
  /** The fencing token of this process's lease on `stream`, carried by its appends. */
  fence?(stream: string): number | undefined;
  /** Asks the authority (the lease table) whether this process's lease on `stream` is still current; rejects when not. */
  confirm?(stream: string): Promise<void>;
}

interface LiveActor {
  def: MachineDefinition;
  stream: string;
  version: number;
  state: ActorState;
  snapshot: AnyMachineSnapshot;
}

export class ActorHost {
  private readonly store: EventStore;
  private readonly clock: Clock;
  private readonly definitions: MachineDefinition[];
  private readonly effects: EffectRegistry;
  private readonly logger: Logger;
  private readonly maxConflictRetries: number;
  private readonly live = new Map<string, LiveActor>();
  private readonly timers = new Map<string, TimerHandle>();
  private readonly queues = new Map<string, Promise<unknown>>();
  private readonly inflight = new Map<string, { controller: AbortController; done: Promise<void> }>();
  private stopped = false;
  private ownership: StreamOwnership | undefined;

  constructor(options: ActorHostOptions) {
    this.store = options.store;
    this.clock = options.clock;
    this.definitions = [...options.definitions].sort((a, b) => b.streamPrefix.length - a.streamPrefix.length);
    this.effects = options.effects;
    this.logger = options.logger ?? silentLogger;
    this.maxConflictRetries = options.maxConflictRetries ?? 3;
  }

  definitionFor(stream: string): MachineDefinition {
    const def = this.definitions.find((d) => stream.startsWith(d.streamPrefix));
    if (!def) throw new NotFoundError('machine for stream', stream);
    return def;
  }

  definition(id: string): MachineDefinition {
    const def = this.definitions.find((d) => d.id === id);
    if (!def) throw new NotFoundError('machine', id);
    return def;
  }

  /**
   * Restores every live stream from its last event (one read per machine kind, no refold);
   * with `ownership`, only the streams it owns now (the others are adopted when claimed).
   */
  async start(ownership?: StreamOwnership): Promise<RestoreReport> {
    this.ownership = ownership;
    const report: RestoreReport = { restored: 0, skippedFinal: 0, timersArmed: 0, interrupted: [], versionDrift: [] };
    const toResolve: { actor: LiveActor; effectId: string }[] = [];
    for (const def of this.definitions) {
      for (const head of await this.store.heads(def.streamPrefix)) {
        if (this.definitionFor(head.stream) !== def) continue; // belongs to a longer prefix
        if (!this.owns(head.stream)) continue;
        const state = head.lastEvent.stateAfter as ActorState;
        if (state.status !== 'active') {
          report.skippedFinal += 1;
          continue;
        }
        const recorded = head.lastEvent.meta.machineVersion;
        if (recorded !== undefined && recorded !== def.version) {
          report.versionDrift.push({ stream: head.stream, recorded, registered: def.version });
        }
        const actor: LiveActor = { def, stream: head.stream, version: head.version, state, snapshot: resolveSnapshot(def, state) };
        this.live.set(head.stream, actor);
        report.restored += 1;
        for (const [name, timer] of Object.entries(state.timers)) {
          this.armTimer(head.stream, name, timer.id, timer.dueAt);
          report.timersArmed += 1;
        }
        for (const effectId of Object.keys(state.effects)) toResolve.push({ actor, effectId });
      }
    }
    for (const { actor, effectId } of toResolve) {
      const effect = actor.state.effects[effectId];
      const policy = this.effects[effect.type]?.onInterrupted ?? 'rerun';
      report.interrupted.push({ stream: actor.stream, effectId, type: effect.type, policy: policy === 'rerun' ? 'rerun' : 'reconcile' });
      this.resumeInterrupted(actor, effectId);
    }
    this.logger.info('actor host restored', { ...report, interrupted: report.interrupted.length, versionDrift: report.versionDrift.length });
    return report;
  }

  /** Starts a new stream `<prefix><id>`; fails with VersionConflictError when it exists. */
  async create(definitionId: string, id: string, input: unknown): Promise<{ stream: string; state: ActorState }> {
    const def = this.definition(definitionId);
    const stream = `${def.streamPrefix}${id}`;
    return this.serialized(stream, async () => {
      const result = stepStart(def, stream, input, { at: this.clock.now() });
      // XState turns a throwing context factory into an error snapshot; bad input appends nothing.
      if (result.state.status === 'error') {
        const cause = (result.snapshot as { error?: unknown }).error;
        throw new ValidationError(`input rejected by machine ${def.id}: ${cause instanceof Error ? cause.message : 'invalid'}`, { input: 'rejected' });
      }
      const appended = await this.store.append(stream, result.records, { expectedVersion: 'no-stream' });
      // A stream nobody holds yet waits for its claimer, who runs its first effects on adoption.
      if (this.owns(stream)) this.install({ def, stream, version: appended.version, state: result.state, snapshot: result.snapshot }, result);
      return { stream, state: result.state };
    });
  }

  /** A command: refused with InvalidCommandError (nothing appended) when the current state does not accept it. */
  async send(stream: string, event: EngineEvent): Promise<ActorState> {
    if (!this.owns(stream)) return this.serialized(stream, () => this.forward(stream, event));
    return this.serialized(stream, () =>
      this.commit(stream, (actor) => {
        if (actor.state.status !== 'active' || !actor.snapshot.can(event)) {
          throw new InvalidCommandError(stream, event.type, actor.state.value);
        }
        return stepEvent(actor.def, stream, actor.version, actor.state, actor.snapshot, event, { at: this.clock.now() });
      }).then((actor) => (actor as LiveActor).state),
    );
  }

  /** An effect's outcome. Recorded once: an unknown or already answered effect id is ignored. */
  async report(stream: string, effectId: string, event: EngineEvent): Promise<'recorded' | 'ignored'> {
    return this.serialized(stream, async () => {
      // A late outcome of an effect of a stream given up meanwhile: its new holder decides.
      if (!this.owns(stream)) return 'ignored';
      const actor = await this.commit(stream, (a) =>
        a.state.effects[effectId] ? stepEvent(a.def, stream, a.version, a.state, a.snapshot, event, { at: this.clock.now(), effectId }) : null,
      );
      return actor ? 'recorded' : 'ignored';
    });
  }

  /** The current state: from memory for live streams, else from the stream's last event. */
  async getState(stream: string): Promise<{ version: number; state: ActorState } | undefined> {
    const actor = this.live.get(stream);
    if (actor) return { version: actor.version, state: actor.state };
    const version = await this.store.streamVersion(stream);
    if (version === 0) return undefined;
    const [last] = await this.store.read(stream, version);
    return { version, state: last.stateAfter as ActorState };
  }

  liveStreams(prefix = ''): string[] {
    return [...this.live.keys()].filter((s) => s.startsWith(prefix));
  }

  /** Aborts the in-flight effects of one stream (e.g. a cancelled job's clone). */
  abortEffects(stream: string, reason: unknown): number {
    let n = 0;
    for (const [id, run] of this.inflight) {
      if (id.startsWith(`${stream}:`)) {
        run.controller.abort(reason);
        n += 1;
      }
    }
    return n;
  }

  /**
   * Takes over a stream another process held (its lease was claimed): loads its last snapshot,
   * re-arms its timers and hands its started-but-unanswered effects to their interrupted
   * policy, exactly as start() does for every stream. Returns the state, undefined when the
   * stream is unknown, and the state without doing anything when it is final.
   */
  async adopt(stream: string): Promise<ActorState | undefined> {
    return this.serialized(stream, async () => {
      this.live.delete(stream);
      if ((await this.store.streamVersion(stream)) === 0) return undefined;
      const actor = await this.load(stream);
      // Lost again while waiting its turn: run nothing for a stream someone else may hold now.
      if (actor.state.status !== 'active' || this.stopped || !this.owns(stream)) return actor.state;
      this.live.set(stream, actor);
      for (const [name, timer] of Object.entries(actor.state.timers)) this.armTimer(stream, name, timer.id, timer.dueAt);
      for (const effectId of Object.keys(actor.state.effects)) this.resumeInterrupted(actor, effectId);
      return actor.state;
    });
  }

  /**
   * Lets a stream go (its lease is lost or given back): forgets it, disarms its timers and
   * aborts its effects; their late outcomes are ignored, the next holder resolves them.
   */
  release(stream: string, reason: unknown = new EngineError('STREAM_RELEASED', `stream ${stream} was released`)): void {
    this.live.delete(stream);
    const prefix = `${stream}\u0000`;
    for (const [key, handle] of this.timers) {
      if (!key.startsWith(prefix)) continue;
      handle.cancel();
      this.timers.delete(key);
    }
    this.abortEffects(stream, reason);
  }

  /** Resolves when no command, outcome or effect is running any more. */
  async idle(): Promise<void> {
    for (;;) {
      const pending = [...this.queues.values(), ...[...this.inflight.values()].map((r) => r.done)];
      if (pending.length === 0) return;
      await Promise.allSettled(pending);
    }
  }

  /**
   * Stops timers, aborts effects and waits up to `timeoutMs` for them to settle (an effect
   * that ignores its AbortSignal must not hold shutdown hostage). Nothing new is started.
   */
  async stop(timeoutMs = 10_000): Promise<void> {
    this.stopped = true;
    for (const handle of this.timers.values()) handle.cancel();
    this.timers.clear();
    for (const run of this.inflight.values()) run.controller.abort(new EngineError('HOST_STOPPED', 'actor host stopped'));
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)));
    await Promise.race([this.idle(), timeout]);
    clearTimeout(timer);
  }

  private owns(stream: string): boolean {
    return this.ownership === undefined || this.ownership.owns(stream);
  }

  /** A command for a stream held elsewhere: checked against its latest state here, applied by its holder. */
  private async forward(stream: string, event: EngineEvent): Promise<ActorState> {
    this.live.delete(stream);
    const actor = await this.load(stream);
    if (actor.state.status !== 'active' || !actor.snapshot.can(event)) throw new InvalidCommandError(stream, event.type, actor.state.value);
    await (this.ownership as StreamOwnership).forward(stream, event);
    return actor.state;
  }

  private async load(stream: string): Promise<LiveActor> {
    const cached = this.live.get(stream);
    if (cached) return cached;
    const def = this.definitionFor(stream);
    const version = await this.store.streamVersion(stream);
    if (version === 0) throw new NotFoundError('stream', stream);
    const [last] = await this.store.read(stream, version);
    const state = last.stateAfter as ActorState;
    return { def, stream, version, state, snapshot: resolveSnapshot(def, state) };
  }

  /**
   * Decide, append, adopt. Losing a version race means another writer appended first:
   * re-read and re-decide, never overwrite. `decide` returning null means nothing to record.
   */
  private async commit(stream: string, decide: (actor: LiveActor) => StepResult | null): Promise<LiveActor | null> {
    for (let attempt = 0; ; attempt++) {
      const actor = await this.load(stream);
      const result = decide(actor);
      if (!result) return null;
      // Given up while this decision waited its turn: the new holder decides instead.
      if (!this.owns(stream)) throw new EngineError('STREAM_NOT_OWNED', `stream ${stream} is held by another worker`);
      const fence = this.ownership?.fence?.(stream);
      try {
        const appended = await this.store.append(stream, result.records, fence === undefined ? { expectedVersion: actor.version } : { expectedVersion: actor.version, fence });
        const next: LiveActor = { ...actor, version: appended.version, state: result.state, snapshot: result.snapshot };
        this.install(next, result);
        return next;
      } catch (error) {
        // Another worker holds the stream now: stop its timers and effects here at once.
        if (error instanceof FencedOffError) this.release(stream, error);
        if (!(error instanceof VersionConflictError) || attempt >= this.maxConflictRetries) throw error;
        this.live.delete(stream);
      }
    }
  }

  /** After a successful append: update memory, arm/cancel timers, then run the effects. */
  private install(actor: LiveActor, result: StepResult): void {
    if (actor.state.status === 'active') this.live.set(actor.stream, actor);
    else this.live.delete(actor.stream);
    for (const t of result.timersCancelled) this.disarmTimer(actor.stream, t.name);
    for (const t of result.timersArmed) this.armTimer(actor.stream, t.name, t.timerId, t.dueAt);
    for (const effect of result.effects) this.runEffect(actor, effect);
  }

  private runEffect(actor: LiveActor, effect: StartedEffect): void {
    // Not held (any more): a tracked effect stays recorded as started and the holder resolves it.
    // A fire-and-forget one (closing this process's clone) is local clean-up nobody else can do.
    if (this.stopped || (effect.tracked && !this.owns(actor.stream))) return;
    const handler = this.effects[effect.type];
    const controller = new AbortController();
    const ctx = this.effectContext(actor, effect.id, controller.signal);
    const done = (async () => {
      try {
        if (!handler) throw new EngineError('EFFECT_UNKNOWN', `no handler registered for effect ${effect.type}`);
        const outcome = await handler.run(effect.params, ctx);
        if (effect.tracked && outcome) await this.report(actor.stream, effect.id, outcome);
      } catch (error) {
        this.logger.error('effect failed', { stream: actor.stream, effectId: effect.id, effect: effect.type, code: errorCode(error) });
        if (effect.tracked && !this.stopped) await this.report(actor.stream, effect.id, effectFailed(effect, error)).catch(() => undefined);
      }
    })().finally(() => this.inflight.delete(effect.id));
    this.inflight.set(effect.id, { controller, done });
  }

  private resumeInterrupted(actor: LiveActor, effectId: string): void {
    const effect = actor.state.effects[effectId];
    const policy = this.effects[effect.type]?.onInterrupted ?? 'rerun';
    if (policy === 'rerun') {
      this.runEffect(actor, { id: effectId, type: effect.type, params: effect.params, tracked: true });
      return;
    }
    const controller = new AbortController();
    const done = (async () => {
      try {
        const event = await policy(effect.params, this.effectContext(actor, effectId, controller.signal));
        await this.report(actor.stream, effectId, event);
      } catch (error) {
        this.logger.error('interrupted effect could not be reconciled', { stream: actor.stream, effectId, code: errorCode(error) });
        await this.report(actor.stream, effectId, effectFailed({ id: effectId, ...effect }, error)).catch(() => undefined);
      }
    })().finally(() => this.inflight.delete(effectId));
    this.inflight.set(effectId, { controller, done });
  }

  private effectContext(actor: LiveActor, effectId: string, signal: AbortSignal): EffectContext {
    const stream = actor.stream;
    return {
      stream,
      effectId,
      signal,
      state: actor.state,
      confirmHeld: async () => {
        if (!this.owns(stream)) throw new EngineError('STREAM_NOT_OWNED', `stream ${stream} is no longer held by this worker`);
        await this.ownership?.confirm?.(stream);
      },
    };
  }

  private armTimer(stream: string, name: string, timerId: string, dueAt: number): void {
    if (this.stopped) return;
    this.disarmTimer(stream, name);
    const key = `${stream}\u0000${name}`;
    const handle = this.clock.schedule(dueAt, () => {
      this.timers.delete(key);
      this.fireTimer(stream, name, timerId).catch((error) =>
        this.logger.error('timer could not be recorded', { stream, timer: name, code: errorCode(error) }),
      );
    });
    this.timers.set(key, handle);
  }

  private disarmTimer(stream: string, name: string): void {
    const key = `${stream}\u0000${name}`;
    this.timers.get(key)?.cancel();
    this.timers.delete(key);
  }

  private fireTimer(stream: string, name: string, timerId: string): Promise<unknown> {
    return this.serialized(stream, () =>
      this.commit(stream, (a) =>
        a.state.timers[name]?.id === timerId && this.owns(stream)
          ? stepEvent(a.def, stream, a.version, a.state, a.snapshot, { type: timerEventType(name) }, { at: this.clock.now(), timerId })
          : null,
      ),
    );
  }

  /** One decision at a time per stream: the single-writer rule inside this process. */
  private serialized<T>(stream: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.queues.get(stream) ?? Promise.resolve();
    const run = previous.then(fn, fn);
    const tail = run.then(
      () => undefined,
      () => undefined,
    );
    this.queues.set(stream, tail);
    void tail.then(() => {
      if (this.queues.get(stream) === tail) this.queues.delete(stream);
    });
    return run;
  }
}

function errorCode(error: unknown): string {
  return error instanceof EngineError ? error.code : error instanceof Error ? error.name : 'UNKNOWN';
}

/**
 * The event recorded when a handler threw. Only the engine's own errors keep their message
 * (we write those, and they name no secret); any other error's text may carry anything —
 * a password in a URL, a page's content — so the log gets its class name alone.
 */
function effectFailed(effect: { id: string; type: string; params: unknown }, error: unknown): EffectFailedEvent {
  const message = error instanceof EngineError ? error.message : `effect ${effect.type} threw ${errorCode(error)}`;
  return { type: 'EFFECT_FAILED', effect: effect.type, effectId: effect.id, params: effect.params, error: { code: errorCode(error), message } };
}
