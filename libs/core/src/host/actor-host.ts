// The actor host: runs the engine loop of shared/DESIGN.md for every stream.
//   decide (pure step) → append with expectedVersion (the commit point) → only then run effects.
// It restores live streams at start from the snapshot in their last event, re-arms durable
// timers, and hands effects that started but never reported to their interrupted-policy.
// With a StreamOwnership (several workers on one store) it does all of that only for the
// streams this process holds: `adopt` takes one over later, `release` lets it go, and a
// command for a stream held elsewhere is forwarded instead of decided here. Its appends carry
// the lease's fencing token, so a store shared by several processes refuses the writes of a
// holder whose lease has passed on, and effects start only while the stream is held.
//
// It is also the one publisher of committed state: every command, outcome and timer resolves
// to the state it committed, and every append is written through to `feed` (StateFeed), the
// read side every other part of the engine reads.
import type { AnyMachineSnapshot, EventObject, InputFrom } from 'xstate';
import type { Clock, TimerHandle } from '../clock';
import { EngineError, FencedOffError, InvalidCommandError, NotFoundError, UnknownMachineVersionError, ValidationError, VersionConflictError } from '../errors';
import type { AppendResult, EventStore } from '../event-store';
import { silentLogger, type Logger } from '../logger';
import type { NewEvent, RecordedEvent } from '../recorded-event';
import type { ActorState } from './actor-state';
import type { CommandEvent, EffectContext, EffectFailedEvent, EffectRegistry, EngineEvent } from './effects';
import { timerEventType, type AnyMachineDefinition, type EventOf, type StateOf } from './machine-definition';
import { definitionAtVersion, recordedVersion, registeredVersions } from './machine-versions';
import { StateFeed, type StreamState } from './state-feed';
import { resolveSnapshot, stepEvent, stepStart, type StartedEffect, type StepResult } from './step';

export interface ActorHostOptions {
  store: EventStore;
  clock: Clock;
  definitions: readonly AnyMachineDefinition[];
  /** Effect handlers by name; more can be provided with `provide` before `start`. */
  effects?: EffectRegistry;
  logger?: Logger;
  /** How often a decision is retried after losing a version race (each time re-read and re-decided). */
  maxConflictRetries?: number;
  /** How long a command forwarded to another worker waits to see that worker commit it. Default 10 s. */
  forwardWaitMs?: number;
  /**
   * A stream gets a snapshot (StreamSnapshot) each time an append takes it past a multiple of
   * this many events, so replaying it starts there instead of at version 1. Default 500; 0: none.
   */
  snapshotEvery?: number;
}

export const DEFAULT_SNAPSHOT_EVERY = 500;

/** A stream's committed state with a machine state (not a pure fact). */
export type CommittedState<TState extends ActorState = ActorState> = StreamState<TState>;

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
  /** Streams restored on an older registered version of their machine (`engine migrate` moves them on). */
  versionDrift: { stream: string; recorded: string; registered: string }[];
  /** Streams recorded by a machine version that is not registered: not restored, and refused until it is. */
  unregisteredVersion: { stream: string; recorded: string; registered: string[] }[];
}

/**
 * Which streams this process decides for, when several processes share one store. Without it
 * (the single-process default) the host owns every stream.
 */
export interface StreamOwnership {
  /** Whether this process holds `stream` now (its lease is current). */
  owns(stream: string): boolean;
  /** Hands a command for a stream this process does not hold to whoever holds it (or will). */
  forward(stream: string, event: CommandEvent): Promise<void>;
  /** The fencing token of this process's lease on `stream`, carried by its appends. */
  fence?(stream: string): number | undefined;
  /** Asks the authority (the lease table) whether this process's lease on `stream` is still current; rejects when not. */
  confirm?(stream: string): Promise<void>;
}

interface LiveActor {
  def: AnyMachineDefinition;
  stream: string;
  version: number;
  state: ActorState;
  snapshot: AnyMachineSnapshot;
}

export class ActorHost {
  /** The committed state of every stream: what every reader reads. */
  readonly feed: StateFeed;
  private readonly store: EventStore;
  private readonly clock: Clock;
  private readonly definitions: AnyMachineDefinition[];
  private readonly effects: EffectRegistry = {};
  private readonly logger: Logger;
  private readonly maxConflictRetries: number;
  private readonly forwardWaitMs: number;
  private readonly snapshotEvery: number;
  private readonly live = new Map<string, LiveActor>();
  private readonly timers = new Map<string, TimerHandle>();
  private readonly queues = new Map<string, Promise<unknown>>();
  private readonly inflight = new Map<string, { controller: AbortController; done: Promise<void> }>();
  private stopped = false;
  private started = false;
  private ownership: StreamOwnership | undefined;

  constructor(options: ActorHostOptions) {
    this.store = options.store;
    this.clock = options.clock;
    this.definitions = [...options.definitions].sort((a, b) => b.streamPrefix.length - a.streamPrefix.length);
    Object.assign(this.effects, options.effects);
    this.logger = options.logger ?? silentLogger;
    this.maxConflictRetries = options.maxConflictRetries ?? 3;
    this.forwardWaitMs = options.forwardWaitMs ?? 10_000;
    this.snapshotEvery = options.snapshotEvery ?? DEFAULT_SNAPSHOT_EVERY;
    if (!Number.isSafeInteger(this.snapshotEvery) || this.snapshotEvery < 0) {
      throw new ValidationError('snapshotEvery must be a whole number of events (0: no snapshots)', { snapshotEvery: 'invalid' });
    }
    this.feed = new StateFeed({ clock: this.clock, logger: this.logger, kindOf: (stream) => this.findDefinition(stream)?.id ?? namePrefix(stream) });
  }

  /**
   * Adds effect handlers, before `start`: the parts that implement effects (browsers, portals,
   * alerting) are built with the host they send commands to, and then provide their handlers
   * here, so nothing needs a forward reference to the host. A name can be provided once.
   */
  provide(effects: EffectRegistry): this {
    if (this.started) throw new EngineError('HOST_STARTED', 'effect handlers must be provided before the host starts');
    for (const name of Object.keys(effects)) {
      if (this.effects[name]) throw new EngineError('EFFECT_PROVIDED_TWICE', `effect ${name} already has a handler`);
    }
    Object.assign(this.effects, effects);
    return this;
  }

  definitionFor(stream: string): AnyMachineDefinition {
    const def = this.findDefinition(stream);
    if (!def) throw new NotFoundError('machine for stream', stream);
    return def;
  }

  findDefinition(stream: string): AnyMachineDefinition | undefined {
    return this.definitions.find((d) => stream.startsWith(d.streamPrefix));
  }

  definition(id: string): AnyMachineDefinition {
    const def = this.definitions.find((d) => d.id === id);
    if (!def) throw new NotFoundError('machine', id);
    return def;
  }

  /**
   * Loads the feed from the heads of every stream (one read), restores every live stream from
   * its last event (no refold) — with `ownership`, only the streams it owns now (the others are
   * adopted when claimed) — and then follows the store for what other writers append.
   */
  async start(ownership?: StreamOwnership): Promise<RestoreReport> {
    this.started = true;
    this.ownership = ownership;
    const report: RestoreReport = { restored: 0, skippedFinal: 0, timersArmed: 0, interrupted: [], versionDrift: [], unregisteredVersion: [] };
    this.feed.load(await this.store.heads());
    const toResolve: { actor: LiveActor; effectId: string }[] = [];
    for (const entry of this.feed.all()) {
      const newest = this.findDefinition(entry.stream);
      if (!newest || !entry.state || !this.owns(entry.stream)) continue;
      const state = entry.state;
      if (state.status !== 'active') {
        report.skippedFinal += 1;
        continue;
      }
      // Each stream runs on the version it was created with or last migrated to, never another.
      const def = this.definitionForVersion(newest, entry.stream, entry.machineVersion);
      if (!def) {
        report.unregisteredVersion.push({ stream: entry.stream, recorded: entry.machineVersion as string, registered: registeredVersions(newest) });
        continue;
      }
      if (def !== newest) report.versionDrift.push({ stream: entry.stream, recorded: entry.machineVersion as string, registered: newest.version });
      const actor: LiveActor = { def, stream: entry.stream, version: entry.version, state, snapshot: resolveSnapshot(def, state) };
      this.live.set(entry.stream, actor);
      report.restored += 1;
      for (const [name, timer] of Object.entries(state.timers)) {
        this.armTimer(entry.stream, name, timer.id, timer.dueAt);
        report.timersArmed += 1;
      }
      for (const effectId of Object.keys(state.effects)) toResolve.push({ actor, effectId });
    }
    this.feed.follow(this.store);
    for (const { actor, effectId } of toResolve) {
      const effect = actor.state.effects[effectId];
      const reconciled = this.effects[effect.type]?.onInterrupted !== undefined;
      report.interrupted.push({ stream: actor.stream, effectId, type: effect.type, policy: reconciled ? 'reconcile' : 'rerun' });
      this.resumeInterrupted(actor, effectId);
    }
    for (const refused of report.unregisteredVersion) this.logger.error('stream on an unregistered machine version not restored', { ...refused, registered: refused.registered.join(', ') });
    this.logger.info('actor host restored', {
      ...report,
      interrupted: report.interrupted.length,
      versionDrift: report.versionDrift.length,
      unregisteredVersion: report.unregisteredVersion.length,
    });
    return report;
  }

  /**
   * Starts a new stream `<prefix><id>` and resolves to its committed first state; fails with
   * VersionConflictError when it exists, ValidationError when the machine rejects the input.
   */
  async create<D extends AnyMachineDefinition>(definition: D, id: string, input: InputFrom<D['machine']>): Promise<CommittedState<StateOf<D>>>;
  async create(definitionId: string, id: string, input: unknown): Promise<CommittedState>;
  async create(definition: AnyMachineDefinition | string, id: string, input: unknown): Promise<CommittedState> {
    // New streams start on the newest registered version of their machine.
    const def = typeof definition === 'string' ? this.definition(definition) : (this.definitions.find((d) => d.id === definition.id) ?? definition);
    const stream = `${def.streamPrefix}${id}`;
    return this.serialized(stream, async () => {
      const result = stepStart(def, stream, input, { at: this.clock.now() });
      // XState turns a throwing context factory into an error snapshot; bad input appends nothing.
      if (result.state.status === 'error') {
        const cause = (result.snapshot as { error?: unknown }).error;
        throw new ValidationError(`input rejected by machine ${def.id}: ${cause instanceof Error ? cause.message : 'invalid'}`, { input: 'rejected' });
      }
      const appended = await this.store.append(stream, result.records, { expectedVersion: 'no-stream' });
      const committed = this.publish(stream, result.records, appended);
      // A stream nobody holds yet waits for its claimer, who runs its first effects on adoption.
      if (this.owns(stream)) this.install({ def, stream, version: appended.version, state: result.state, snapshot: result.snapshot }, result);
      await this.snapshotIfDue(def, 0, appended, result.state);
      return committed;
    });
  }

  /**
   * A command; resolves to the state it committed. Refused with InvalidCommandError (nothing
   * appended) when the machine does not accept it now, with the machine's reason when it gives one.
   * A command for a stream held by another worker is forwarded to it, and resolves to the first
   * state that worker commits after it (or the state known when that takes longer than forwardWaitMs).
   */
  async send(stream: string, event: CommandEvent): Promise<CommittedState> {
    if (!this.owns(stream)) return this.serialized(stream, () => this.forward(stream, event));
    return this.serialized(stream, async () => {
      const committed = await this.commit(stream, (actor) => {
        if (actor.state.status !== 'active' || !actor.snapshot.can(event)) throw this.refused(actor, event);
        return stepEvent(actor.def, stream, actor.version, actor.state, actor.snapshot, event, { at: this.clock.now() });
      });
      return committed as CommittedState;
    });
  }

  /** `send` to the stream `<prefix><id>` of `def`, typed by its machine. */
  async sendTo<D extends AnyMachineDefinition>(def: D, id: string, event: EventOf<D> & EventObject): Promise<CommittedState<StateOf<D>>> {
    return (await this.send(`${def.streamPrefix}${id}`, event)) as CommittedState<StateOf<D>>;
  }

  /**
   * An effect's outcome. Recorded once: an unknown or already answered effect id is ignored
   * (undefined); otherwise resolves to the state it committed.
   */
  async report(stream: string, effectId: string, event: EngineEvent): Promise<CommittedState | undefined> {
    return this.serialized(stream, async () => {
      // A late outcome of an effect of a stream given up meanwhile: its new holder decides.
      if (!this.owns(stream)) return undefined;
      const committed = await this.commit(stream, (a) =>
        a.state.effects[effectId] ? stepEvent(a.def, stream, a.version, a.state, a.snapshot, event, { at: this.clock.now(), effectId }) : null,
      );
      return committed ?? undefined;
    });
  }

  /** The latest committed state: from the feed, or from the stream's last event when the feed has not seen it yet. */
  async getState(stream: string): Promise<CommittedState | undefined> {
    const entry = this.feed.get(stream);
    if (entry?.state) return entry as CommittedState;
    const version = await this.store.streamVersion(stream);
    if (version === 0) return undefined;
    const [last] = await this.store.read(stream, version);
    if (!last.stateAfter) return undefined;
    return {
      stream,
      kind: this.findDefinition(stream)?.id ?? namePrefix(stream),
      version,
      position: last.position,
      state: last.stateAfter as ActorState,
      lastEventType: last.type,
      updatedAt: last.meta.at,
      machineVersion: typeof last.meta.machineVersion === 'string' ? last.meta.machineVersion : null,
    };
  }

  /** `getState` of the stream `<prefix><id>` of `def`, typed by its machine. */
  async getStateOf<D extends AnyMachineDefinition>(def: D, id: string): Promise<CommittedState<StateOf<D>> | undefined> {
    const stream = `${def.streamPrefix}${id}`;
    if (this.findDefinition(stream) !== def) throw new NotFoundError(`stream of machine ${def.id}`, stream);
    // The stream's prefix is this definition's, so its stored state is that machine's.
    return (await this.getState(stream)) as CommittedState<StateOf<D>> | undefined;
  }

  /**
   * Whether the machine accepts `event` on `stream` now, without recording anything: throws the
   * InvalidCommandError (with the machine's reason) that `send` would, NotFoundError for an
   * unknown stream. For a command with a side effect that must not happen when it is refused
   * (handing a captcha answer to the solver before CAPTCHA_ANSWERED is recorded).
   */
  async assertAccepts(stream: string, event: CommandEvent): Promise<void> {
    const actor = await this.load(stream);
    if (actor.state.status !== 'active' || !actor.snapshot.can(event)) throw this.refused(actor, event);
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
    await this.feed.close();
    for (const handle of this.timers.values()) handle.cancel();
    this.timers.clear();
    for (const run of this.inflight.values()) run.controller.abort(new EngineError('HOST_STOPPED', 'actor host stopped'));
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)));
    await Promise.race([this.idle(), timeout]);
    clearTimeout(timer);
  }

  /** The definition that runs a stream recorded at `version`; undefined when that version is not registered. */
  private definitionForVersion(newest: AnyMachineDefinition, stream: string, version: string | null): AnyMachineDefinition | undefined {
    try {
      return definitionAtVersion(newest, stream, version);
    } catch (error) {
      if (error instanceof UnknownMachineVersionError) return undefined;
      throw error;
    }
  }

  private owns(stream: string): boolean {
    return this.ownership === undefined || this.ownership.owns(stream);
  }

  /** A command for a stream held elsewhere: checked against its latest state here, applied by its holder. */
  private async forward(stream: string, event: CommandEvent): Promise<CommittedState> {
    this.live.delete(stream);
    const actor = await this.load(stream);
    if (actor.state.status !== 'active' || !actor.snapshot.can(event)) throw this.refused(actor, event);
    await (this.ownership as StreamOwnership).forward(stream, event);
    // A bound on waiting for another process, not a clock of the domain: real time on purpose.
    const bound = AbortSignal.timeout(this.forwardWaitMs);
    try {
      const moved = await this.feed.waitFor(stream, (entry) => entry !== undefined && entry.version > actor.version, { signal: bound });
      return moved as CommittedState;
    } catch (error) {
      if (!bound.aborted) throw error;
      return (await this.getState(stream)) as CommittedState;
    }
  }

  /** Why the command is refused, in the machine's words when it has any (see MachineDefinition.refusal). */
  private refused(actor: LiveActor, event: CommandEvent): InvalidCommandError {
    return new InvalidCommandError(actor.stream, event.type, actor.state.value, actor.def.refusal?.(actor.snapshot, event));
  }

  private async load(stream: string): Promise<LiveActor> {
    const cached = this.live.get(stream);
    if (cached) return cached;
    const newest = this.definitionFor(stream);
    const version = await this.store.streamVersion(stream);
    if (version === 0) throw new NotFoundError('stream', stream);
    const [last] = await this.store.read(stream, version);
    const state = last.stateAfter as ActorState;
    // Throws UnknownMachineVersionError for a version not registered: refused, not run on another definition.
    const def = definitionAtVersion(newest, stream, recordedVersion(last.meta));
    return { def, stream, version, state, snapshot: resolveSnapshot(def, state) };
  }

  /**
   * Decide, append, publish, adopt. Losing a version race means another writer appended first:
   * re-read and re-decide, never overwrite. `decide` returning null means nothing to record.
   */
  private async commit(stream: string, decide: (actor: LiveActor) => StepResult | null): Promise<CommittedState | null> {
    for (let attempt = 0; ; attempt++) {
      const actor = await this.load(stream);
      const result = decide(actor);
      if (!result) return null;
      // Given up while this decision waited its turn: the new holder decides instead.
      if (!this.owns(stream)) throw new EngineError('STREAM_NOT_OWNED', `stream ${stream} is held by another worker`);
      const fence = this.ownership?.fence?.(stream);
      let appended: AppendResult;
      try {
        appended = await this.store.append(stream, result.records, fence === undefined ? { expectedVersion: actor.version } : { expectedVersion: actor.version, fence });
      } catch (error) {
        // Another worker holds the stream now: stop its timers and effects here at once.
        if (error instanceof FencedOffError) this.release(stream, error);
        if (!(error instanceof VersionConflictError) || attempt >= this.maxConflictRetries) throw error;
        this.live.delete(stream);
        continue;
      }
      const committed = this.publish(stream, result.records, appended);
      this.install({ ...actor, version: appended.version, state: result.state, snapshot: result.snapshot }, result);
      await this.snapshotIfDue(actor.def, actor.version, appended, result.state);
      return committed;
    }
  }

  /**
   * Keeps a snapshot when this append took the stream past a multiple of snapshotEvery. Taken at
   * the append's last event: a step boundary, where a replay can pick up. A cache: failing to
   * write one is logged, and the command that made the append has still succeeded.
   */
  private async snapshotIfDue(def: AnyMachineDefinition, before: number, appended: AppendResult, state: ActorState): Promise<void> {
    if (this.snapshotEvery === 0 || Math.floor(before / this.snapshotEvery) === Math.floor(appended.version / this.snapshotEvery)) return;
    const last = appended.events[appended.events.length - 1];
    try {
      await this.store.saveSnapshot({
        stream: appended.stream,
        version: appended.version,
        hash: last.hash,
        machineId: def.id,
        machineVersion: def.version,
        state,
        takenAt: new Date(this.clock.now()).toISOString(),
      });
    } catch (error) {
      this.logger.warn('snapshot not written', { stream: appended.stream, version: appended.version, code: errorCode(error) });
    }
  }

  /** Hands what was just appended to the feed and returns the stream's committed state after it. */
  private publish(stream: string, records: readonly NewEvent[], appended: AppendResult): CommittedState {
    const events: RecordedEvent[] = records.map((record, i) => ({ ...record, stream, ...appended.events[i] }));
    this.feed.publish(events);
    const last = events[events.length - 1];
    return {
      stream,
      kind: this.findDefinition(stream)?.id ?? namePrefix(stream),
      version: last.version,
      position: last.position,
      state: last.stateAfter as ActorState,
      lastEventType: last.type,
      updatedAt: last.meta.at,
      machineVersion: last.meta.machineVersion ?? null,
    };
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
    const handler = this.effects[effect.type];
    if (!handler?.onInterrupted) {
      this.runEffect(actor, { id: effectId, type: effect.type, params: effect.params, tracked: true });
      return;
    }
    const controller = new AbortController();
    const done = (async () => {
      try {
        const event = await (handler.onInterrupted as NonNullable<typeof handler.onInterrupted>)(effect.params, this.effectContext(actor, effectId, controller.signal));
        await this.report(actor.stream, effectId, event as EngineEvent);
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
      send: (target, event) => this.send(target, event),
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

/** Streams of no registered machine (command inboxes, test streams) are grouped by their name's prefix. */
function namePrefix(stream: string): string {
  const dash = stream.indexOf('-');
  return dash > 0 ? stream.slice(0, dash) : stream;
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
