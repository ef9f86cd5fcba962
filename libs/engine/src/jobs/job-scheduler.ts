// Runs jobs: FIFO by intake time within a portal, at most `concurrency` attempts in flight over
// all portals, only for portals whose master session is available (it halts while the session
// recovers and resumes by itself) and whose queue an operator has not paused (portal-queue
// machine: jobs running finish). Each portal's limits (portal-limits.ts: its own concurrency,
// start spacing, starts per minute, quiet hours) are applied before a start, and a free slot goes
// to the portal with the fewest attempts in flight, so a slow portal cannot starve the others.
// A start held by a rate or quiet-hours limit is looked at again when the limit opens (a timer
// on the injected clock). A portal with adaptive concurrency has its limit moved by the outcome of
// each attempt that ends (adaptive-concurrency.ts); every change is logged.
// It owns no state of its own: what is pending, running or halted is read from the host's read
// feed, and every committed change wakes it, so after a crash it simply picks up from the log.
// A job that met the login form is told SESSION_READY as soon as its master session is logged in
// again after the job saw the form: its recovery is the wait, not a fixed delay.
// A portal may list several accounts, each with its own master session and share of attempts
// (account-choice.ts): a portal takes part while any of its accounts is ready, each START names
// the least-loaded ready account, and a job that met the login form on one account is retried as
// soon as another account of its portal is available.
import type { ActorHost, Clock, Logger, StateChange, StateOf, StreamState, TimerHandle } from '@engine/core';
import { InvalidCommandError, silentLogger } from '@engine/core';
import { attemptSession, isMasterAvailable, isQueuePaused, JOB_MACHINE, jobHasTag, jobInterruptedEvent, MASTER_STREAM_PREFIX, masterSessionStream, masterStateName, PORTAL_QUEUE_MACHINE } from '@engine/machines';
import { chooseAccount, type AccountSlot } from './account-choice';
import type { PressureCause } from './host-pressure';
import { adaptConcurrency, attemptSignal, initialAdaptiveState, type AdaptiveBounds, type AdaptiveState } from './adaptive-concurrency';
import { nextPortal, startVerdict, type PortalLimits } from './portal-limits';

/** After a START that failed for another reason than a refusal (a lost lease, a store error), the job is looked at again this much later. */
const START_RETRY_MS = 250;
/** Starts remembered per portal: enough for a per-minute budget. */
const START_HISTORY_MS = 60_000;

type JobState = StateOf<typeof JOB_MACHINE>;

export interface JobSchedulerOptions {
  host: ActorHost;
  clock: Clock;
  logger?: Logger;
  /** Attempts in flight at once, over all portals. Default 3. */
  concurrency?: number;
  /** With several workers: only jobs this worker holds the lease of are queued and started. Default: all. */
  owns?: (stream: string) => boolean;
  /** Limits per portal id (with several workers, each worker applies them to its own starts). Default: none. */
  portalLimits?: Readonly<Record<string, PortalLimits>>;
  /** What puts the host under pressure now (CPU, memory), or null: adaptive portals treat every ended attempt as a strain meanwhile. */
  hostPressure?: () => PressureCause | null;
  /** A portal's accounts, in configuration order (its first one's session is `master-<portal>`). Default: one implicit account per portal. */
  portalAccounts?: Readonly<Record<string, readonly SchedulerAccount[]>>;
}

/** One account of a portal, as the scheduler starts attempts on it. */
export interface SchedulerAccount {
  id: string;
  /** Its master session's stream. */
  masterSession: string;
  /** Attempts in flight at once on this account. Default: only the portal's and the global limits. */
  concurrency?: number;
}

/** One account's attempts and session as the scheduler sees them now. */
export interface AccountLoad {
  portal: string;
  account: string | null;
  masterSession: string;
  masterState: string;
  available: boolean;
  running: number;
  concurrency: number | null;
}

/** A change of a portal's adaptive concurrency, as the inspector and GET /api/portals show it. */
export interface ConcurrencyChangeView {
  from: number;
  to: number;
  reason: 'strained' | 'healthy' | 'host_pressure';
  at: string;
}

/** One portal's jobs as the scheduler sees them now (metrics read it). */
export interface PortalLoad {
  portal: string;
  /** Jobs ready to start (runnable), whatever holds them. */
  queued: number;
  /** Attempts in flight. */
  running: number;
  /** Queued jobs held by the portal's start spacing or per-minute budget. */
  waitingForRate: number;
  /** Queued jobs held by the portal's quiet hours. */
  waitingForQuietHours: number;
  /** Queued jobs whose master session is not available, and jobs that met the login form waiting for it to log in again. */
  waitingForSession: number;
  /** The portal's own concurrency now (adaptive: where it has moved to); null: only the global cap. */
  concurrencyLimit: number | null;
  /** With adaptive concurrency: its bounds and its last change (null: none since the start). */
  adaptive: { floor: number; ceiling: number; lastChange: ConcurrencyChangeView | null } | null;
}

export interface SchedulerStatus {
  concurrency: number;
  inFlight: number;
  queued: number;
  stopping: boolean;
  /** Portals with queued jobs whose master session is not available, and its state. */
  halted: { portal: string; masterState: string }[];
  /** Portals whose queue an operator paused: none of their jobs is started. */
  paused: string[];
}

interface QueuedJob {
  stream: string;
  portal: string;
  createdAt: string;
  position: number;
}

/** An attempt in flight: its portal and the master session it runs on. */
interface InFlight {
  portal: string;
  masterSession: string;
}

export class JobScheduler {
  readonly concurrency: number;
  /** Runnable jobs, kept in FIFO order (see `inFifoOrder`) so starting the next ones sorts nothing. */
  private readonly queue = new Map<string, QueuedJob>();
  /** False once a job was queued ahead of one queued before it: the next fill sorts the queue once. */
  private queueInOrder = true;
  /** The latest job in FIFO order queued since the queue was last sorted. */
  private queueLast: QueuedJob | undefined;
  /** Job stream → its portal and master session, of attempts in flight. */
  private readonly running = new Map<string, InFlight>();
  /** Jobs waiting after the login form (tag awaitingSession), with when they met it and on which master session. */
  private readonly awaitingSession = new Map<string, { portal: string; masterSession: string; seenAt: number }>();
  /** START sent, not yet committed: counted as running so a burst cannot overshoot. */
  private readonly starting = new Map<string, InFlight>();
  /** Per master session, when it last got an attempt (ties between accounts go to the one used least recently). */
  private readonly lastStarted = new Map<string, number>();
  /** Start times per portal within the last minute, oldest first (rate limits). */
  private readonly starts = new Map<string, number[]>();
  /** Per portal, when it was last given a slot (a sequence number: ties go to the one served least recently). */
  private readonly lastServed = new Map<string, number>();
  private served = 0;
  /** Every portal a job was seen for: its load is reported at zero rather than vanishing. */
  private readonly portals = new Set<string>();
  /** Portals with adaptive concurrency: their bounds and where their limit is now. */
  private readonly adaptive = new Map<string, { bounds: AdaptiveBounds; state: AdaptiveState; lastChange: ConcurrencyChangeView | null }>();
  private wake: { at: number; timer: TimerHandle } | undefined;
  private readonly logger: Logger;
  private readonly idleWaiters = new Set<() => void>();
  private stopping = false;
  private unsubscribe: () => void = () => undefined;
  private pumping = false;
  private pumpAgain = false;

  constructor(private readonly options: JobSchedulerOptions) {
    this.concurrency = options.concurrency ?? 3;
    if (!Number.isInteger(this.concurrency) || this.concurrency < 1) throw new RangeError(`concurrency must be a positive integer, got ${this.concurrency}`);
    this.logger = options.logger ?? silentLogger;
    for (const [portal, limits] of Object.entries(options.portalLimits ?? {})) {
      if (!limits.adaptive) continue;
      const bounds = { floor: limits.adaptive.floor, ceiling: limits.concurrency ?? this.concurrency };
      if (!Number.isInteger(bounds.floor) || bounds.floor < 1 || bounds.floor > bounds.ceiling) throw new RangeError(`portal ${portal}: the adaptive floor must be an integer 1..${bounds.ceiling}, got ${bounds.floor}`);
      this.adaptive.set(portal, { bounds, state: initialAdaptiveState(bounds), lastChange: null });
    }
  }

  start(): void {
    const feed = this.options.host.feed;
    for (const entry of feed.allOf(JOB_MACHINE)) this.track(entry);
    this.unsubscribe = feed.subscribe((change) => this.onChange(change));
    this.pump();
  }

  status(): SchedulerStatus {
    const halted = new Map<string, string>();
    for (const job of this.queue.values()) {
      if (!this.masterAvailable(job.portal)) halted.set(job.portal, masterStateName(this.master(masterSessionStream(job.portal))?.state ?? undefined));
    }
    return {
      concurrency: this.concurrency,
      inFlight: this.running.size + this.starting.size,
      queued: this.queue.size,
      stopping: this.stopping,
      halted: [...halted].map(([portal, masterState]) => ({ portal, masterState })),
      paused: [...this.options.host.feed.allOf(PORTAL_QUEUE_MACHINE)].filter((q) => isQueuePaused(q.state)).map((q) => q.state.context.portal).sort(),
    };
  }

  /** Per portal (every portal a job was seen for, and those with limits): what holds its jobs now. */
  portalLoad(): PortalLoad[] {
    const now = this.options.clock.now();
    const load = new Map<string, PortalLoad>();
    const of = (portal: string) => {
      let entry = load.get(portal);
      if (!entry) {
        const adaptive = this.adaptive.get(portal);
        entry = {
          portal,
          queued: 0,
          running: 0,
          waitingForRate: 0,
          waitingForQuietHours: 0,
          waitingForSession: 0,
          concurrencyLimit: this.limitsOf(portal)?.concurrency ?? null,
          adaptive: adaptive ? { floor: adaptive.bounds.floor, ceiling: adaptive.bounds.ceiling, lastChange: adaptive.lastChange } : null,
        };
        load.set(portal, entry);
      }
      return entry;
    };
    for (const portal of [...this.portals, ...Object.keys(this.options.portalLimits ?? {})]) of(portal);
    for (const [portal, count] of this.inFlightByPortal()) of(portal).running = count;
    for (const { portal } of this.awaitingSession.values()) of(portal).waitingForSession += 1;
    for (const job of this.queue.values()) of(job.portal).queued += 1;
    for (const entry of load.values()) {
      if (entry.queued === 0) continue;
      if (!this.masterAvailable(entry.portal)) {
        entry.waitingForSession += entry.queued;
        continue;
      }
      const verdict = startVerdict(this.limitsOf(entry.portal), entry.running, this.recentStarts(entry.portal, now), now);
      if (verdict.start || verdict.reason === 'concurrency') continue;
      if (verdict.reason === 'rate') entry.waitingForRate = entry.queued;
      else entry.waitingForQuietHours = entry.queued;
    }
    return [...load.values()].sort((a, b) => (a.portal < b.portal ? -1 : a.portal > b.portal ? 1 : 0));
  }

  /** Per account of every portal with accounts or jobs: its session and attempts in flight (the sessions API and metrics read it). */
  accountLoad(): AccountLoad[] {
    const inFlight = this.inFlightBySession();
    const portals = [...new Set([...this.portals, ...Object.keys(this.options.portalAccounts ?? {})])].sort();
    return portals.flatMap((portal) =>
      this.accountsOf(portal, inFlight).map((slot) => ({
        portal,
        account: slot.account,
        masterSession: slot.masterSession,
        masterState: masterStateName(this.master(slot.masterSession)?.state ?? undefined),
        available: slot.available,
        running: slot.inFlight,
        concurrency: slot.concurrency,
      })),
    );
  }

  /**
   * Graceful shutdown: claim nothing new, let attempts in flight finish for up to `timeoutMs`,
   * then record an interruption for those that have not clicked yet (they go back to pending).
   * An attempt that is submitting is left alone: after restart it is reconciled, never re-run.
   */
  async stop(timeoutMs = 30_000): Promise<{ finished: number; interrupted: string[]; leftSubmitting: string[] }> {
    this.stopping = true;
    this.wake?.timer.cancel();
    this.wake = undefined;
    const inFlightAtStop = this.running.size + this.starting.size;
    await this.drained(timeoutMs);
    this.unsubscribe();
    const interrupted: string[] = [];
    const leftSubmitting: string[] = [];
    const at = new Date(this.options.clock.now()).toISOString();
    for (const stream of [...this.running.keys()]) {
      const current = await this.options.host.getState(stream);
      if (!current) continue;
      if (!jobHasTag(current.state, 'interruptible')) {
        leftSubmitting.push(stream);
        continue;
      }
      this.options.host.abortEffects(stream, new Error('scheduler stopped'));
      // Recorded as the answer of the cut effect (not a new command), so its late outcome is ignored.
      for (const [effectId, effect] of Object.entries(current.state.effects)) {
        const event = jobInterruptedEvent(effect.type, at);
        if (event && (await this.options.host.report(stream, effectId, event))) {
          interrupted.push(stream);
          break;
        }
      }
    }
    return { finished: inFlightAtStop - this.running.size, interrupted, leftSubmitting };
  }

  /** Re-reads one job after this worker took or gave up its lease (a START in flight is left to finish). */
  refresh(stream: string): void {
    if (this.starting.has(stream)) return;
    const entry = this.options.host.feed.getOf(JOB_MACHINE, stream.slice(JOB_MACHINE.streamPrefix.length));
    if (entry) this.track(entry);
    this.pump();
  }

  private onChange({ entry }: StateChange): void {
    if (entry.kind === JOB_MACHINE.id) {
      const job = this.options.host.feed.getOf(JOB_MACHINE, entry.stream.slice(JOB_MACHINE.streamPrefix.length));
      if (job) {
        this.track(job);
        if (this.awaitingSession.has(job.stream)) this.wakeAfterLoginForm(job.state.context.portal);
      }
    } else if (entry.stream.startsWith(MASTER_STREAM_PREFIX)) {
      const portal = (entry.state?.context as { portal?: unknown } | undefined)?.portal;
      if (typeof portal === 'string') this.wakeAfterLoginForm(portal);
    }
    this.pump();
  }

  /**
   * Jobs of `portal` that met the login form before their master session last became healthy are
   * retried now (SESSION_READY), and so are those of a portal with another account available (the
   * next attempt goes to a ready account). One that met it after (the report may not have reached
   * the session yet) keeps waiting for the recovery that report starts.
   */
  private wakeAfterLoginForm(portal: string): void {
    if (this.stopping || this.awaitingSession.size === 0) return;
    const readySince = new Map<string, number>();
    for (const { masterSession } of this.accountsOf(portal, new Map())) {
      const master = this.master(masterSession);
      if (!master || !isMasterAvailable(master.state ?? undefined)) continue;
      const since = Date.parse(String((master.state?.context as { readySince?: unknown } | undefined)?.readySince ?? ''));
      if (!Number.isNaN(since)) readySince.set(masterSession, since);
    }
    if (readySince.size === 0) return;
    const at = new Date(this.options.clock.now()).toISOString();
    for (const [stream, job] of this.awaitingSession) {
      if (job.portal !== portal) continue;
      const ownSince = readySince.get(job.masterSession);
      const anotherReady = [...readySince.keys()].some((session) => session !== job.masterSession);
      if (!anotherReady && (ownSince === undefined || job.seenAt >= ownSince)) continue;
      this.awaitingSession.delete(stream);
      this.options.host.send(stream, { type: 'SESSION_READY', at }).catch((error) => {
        if (!(error instanceof InvalidCommandError)) this.logger.warn('SESSION_READY not recorded; the retry timer still runs', { stream, code: (error as { code?: string }).code ?? 'UNKNOWN' });
      });
    }
  }

  /** Resolves once no attempt is in flight, or after `timeoutMs` (a real-time shutdown budget). */
  private drained(timeoutMs: number): Promise<void> {
    if (this.running.size + this.starting.size === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.idleWaiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      this.idleWaiters.add(done);
    });
  }

  private track(entry: StreamState<JobState>): void {
    this.starting.delete(entry.stream);
    this.portals.add(entry.state.context.portal);
    if (this.options.owns && !this.options.owns(entry.stream)) {
      this.running.delete(entry.stream);
      this.queue.delete(entry.stream);
    } else {
      if (jobHasTag(entry.state, 'attempt')) this.running.set(entry.stream, { portal: entry.state.context.portal, masterSession: attemptSession(entry.state.context) });
      else if (this.running.delete(entry.stream)) this.attemptEnded(entry);
      if (!jobHasTag(entry.state, 'awaitingSession')) this.awaitingSession.delete(entry.stream);
      else if (!this.awaitingSession.has(entry.stream)) {
        const failures = entry.state.context.failures;
        const seenAt = Date.parse(failures[failures.length - 1]?.at ?? '');
        // A failure without a time cannot be compared: the fallback timer retries it.
        if (!Number.isNaN(seenAt)) this.awaitingSession.set(entry.stream, { portal: entry.state.context.portal, masterSession: attemptSession(entry.state.context), seenAt });
      }
      if (!jobHasTag(entry.state, 'runnable')) this.queue.delete(entry.stream);
      else if (!this.queue.has(entry.stream)) {
        const context = entry.state.context;
        const job: QueuedJob = { stream: entry.stream, portal: context.portal, createdAt: context.createdAt ?? '', position: entry.position };
        this.queue.set(entry.stream, job);
        // Jobs nearly always become runnable in FIFO order (intake order): then the map's order is it.
        if (this.queueLast && fifoCompare(job, this.queueLast) < 0) this.queueInOrder = false;
        else this.queueLast = job;
      }
    }
    if (this.running.size + this.starting.size === 0) for (const wake of [...this.idleWaiters]) wake();
  }

  /** A portal's limits, with its concurrency where adaptation has moved it. */
  private limitsOf(portal: string): PortalLimits | undefined {
    const limits = this.options.portalLimits?.[portal];
    const adaptive = this.adaptive.get(portal);
    return limits && adaptive ? { ...limits, concurrency: adaptive.state.limit } : limits;
  }

  /** Feeds an ended attempt's outcome to its portal's adaptive concurrency, if it has one. */
  private attemptEnded(entry: StreamState<JobState>): void {
    const { portal, failures, attempt } = entry.state.context;
    const adaptive = this.adaptive.get(portal);
    if (!adaptive) return;
    const failure = failures[failures.length - 1];
    const outcome = attemptSignal({ submitted: entry.state.value === 'submitted', failureCode: failure && failure.attempt === attempt ? failure.code : null });
    // A host short of CPU or memory is strained whatever the attempt's outcome says.
    const pressure = this.options.hostPressure?.() ?? null;
    const { state, change } = adaptConcurrency(adaptive.state, pressure ? 'strained' : outcome, adaptive.bounds);
    adaptive.state = state;
    if (!change) return;
    const reason = pressure && change.reason === 'strained' ? 'host_pressure' : change.reason;
    adaptive.lastChange = { from: change.from, to: change.to, reason, at: new Date(this.options.clock.now()).toISOString() };
    this.logger.info('portal concurrency changed', { portal, from: change.from, to: change.to, reason, ...(pressure ? { pressure } : {}), floor: adaptive.bounds.floor, ceiling: adaptive.bounds.ceiling });
  }

  private master(stream: string): StreamState | undefined {
    return this.options.host.feed.get(stream);
  }

  /** The portal's accounts now: an implicit one (`master-<portal>`, no account id) when it lists none. */
  private accountsOf(portal: string, inFlight: ReadonlyMap<string, number>): AccountSlot[] {
    const listed = this.options.portalAccounts?.[portal];
    const accounts = listed && listed.length > 0 ? listed.map((a) => ({ account: a.id as string | null, masterSession: a.masterSession, concurrency: a.concurrency ?? null })) : [{ account: null, masterSession: masterSessionStream(portal), concurrency: null }];
    return accounts.map((a) => ({
      ...a,
      // With several workers, only an account whose session (and browser) this worker holds can take an attempt here.
      available: isMasterAvailable(this.master(a.masterSession)?.state ?? undefined) && (!this.options.owns || this.options.owns(a.masterSession)),
      inFlight: inFlight.get(a.masterSession) ?? 0,
      lastStarted: this.lastStarted.get(a.masterSession) ?? -1,
    }));
  }

  /** Whether any account of the portal has its master session available. */
  private masterAvailable(portal: string): boolean {
    return this.accountsOf(portal, new Map()).some((a) => a.available);
  }

  private queuePaused(portal: string): boolean {
    return isQueuePaused(this.options.host.feed.getOf(PORTAL_QUEUE_MACHINE, portal)?.state);
  }

  /** Starts queued jobs while there is room. Re-entrant calls coalesce into one more pass. */
  private pump(): void {
    if (this.pumping) {
      this.pumpAgain = true;
      return;
    }
    this.pumping = true;
    try {
      do {
        this.pumpAgain = false;
        this.fill();
      } while (this.pumpAgain);
    } finally {
      this.pumping = false;
    }
  }

  private sortQueue(): void {
    const jobs = [...this.queue.values()].sort(fifoCompare);
    this.queue.clear();
    for (const job of jobs) this.queue.set(job.stream, job);
    this.queueLast = jobs[jobs.length - 1];
    this.queueInOrder = true;
  }

  private fill(): void {
    if (this.stopping) return;
    let room = this.concurrency - this.running.size - this.starting.size;
    if (room <= 0 || this.queue.size === 0) return;
    const now = this.options.clock.now();
    // Each ready portal's queue, FIFO; a portal is served one job at a time, fewest in flight first.
    const queues = new Map<string, QueuedJob[]>();
    const held = new Set<string>();
    const rank = new Map<string, number>();
    if (!this.queueInOrder) this.sortQueue();
    for (const [i, job] of [...this.queue.values()].entries()) {
      rank.set(job.stream, i);
      const portalQueue = queues.get(job.portal);
      if (portalQueue) portalQueue.push(job);
      else if (held.has(job.portal)) continue;
      else if (!this.queuePaused(job.portal) && this.masterAvailable(job.portal)) queues.set(job.portal, [job]);
      else held.add(job.portal);
    }
    const inFlight = this.inFlightByPortal();
    const bySession = this.inFlightBySession();
    let wakeAt = Infinity;
    while (room > 0 && queues.size > 0) {
      const candidates: { portal: string; inFlight: number; lastServed: number; head: number }[] = [];
      for (const [portal, portalQueue] of queues) {
        const verdict = startVerdict(this.limitsOf(portal), inFlight.get(portal) ?? 0, this.recentStarts(portal, now), now);
        // Every account full (its share in use): held like a portal at its concurrency, until an attempt ends.
        if (verdict.start && !chooseAccount(this.accountsOf(portal, bySession))) queues.delete(portal);
        else if (verdict.start) candidates.push({ portal, inFlight: inFlight.get(portal) ?? 0, lastServed: this.lastServed.get(portal) ?? -1, head: rank.get(portalQueue[0].stream) ?? 0 });
        else {
          // Held by its own limit: a timer brings it back when a rate or quiet window opens; an attempt ending wakes it otherwise.
          if (verdict.reason !== 'concurrency') wakeAt = Math.min(wakeAt, verdict.until);
          queues.delete(portal);
        }
      }
      const portal = nextPortal(candidates);
      if (portal === undefined) break;
      const account = chooseAccount(this.accountsOf(portal, bySession));
      const portalQueue = queues.get(portal) ?? [];
      const job = portalQueue.shift();
      if (!job || !account) break;
      if (portalQueue.length === 0) queues.delete(portal);
      room -= 1;
      inFlight.set(portal, (inFlight.get(portal) ?? 0) + 1);
      bySession.set(account.masterSession, (bySession.get(account.masterSession) ?? 0) + 1);
      this.lastServed.set(portal, ++this.served);
      this.lastStarted.set(account.masterSession, this.served);
      this.starts.set(portal, [...this.recentStarts(portal, now), now]);
      this.startJob(job, account, now);
    }
    if (wakeAt !== Infinity) this.wakeAt(wakeAt);
  }

  private startJob(job: QueuedJob, account: AccountSlot, now: number): void {
    this.queue.delete(job.stream);
    this.starting.set(job.stream, { portal: job.portal, masterSession: account.masterSession });
    const at = new Date(now).toISOString();
    // A portal with one credentials reference records no account: its STARTs stay as they were.
    const start = account.account === null ? { type: 'START', at } : { type: 'START', at, account: account.account, masterSession: account.masterSession };
    this.options.host.send(job.stream, start).catch((error: unknown) => {
      this.starting.delete(job.stream);
      this.logger.warn('job could not be started', { stream: job.stream, code: (error as { code?: string }).code });
      // Refused: the feed shows where the job went (cancelled, started elsewhere). Anything
      // else (a lost lease, a store error) changed nothing in the log, so no change will bring
      // the job back: read it again now.
      if (!(error instanceof InvalidCommandError)) this.options.clock.schedule(this.options.clock.now() + START_RETRY_MS, () => this.refresh(job.stream));
      else this.pump();
    });
  }

  /** Arms the one wake-up timer for `at`, unless one is armed for earlier. */
  private wakeAt(at: number): void {
    if (this.wake && this.wake.at <= at) return;
    this.wake?.timer.cancel();
    const timer = this.options.clock.schedule(at, () => {
      if (this.wake?.timer === timer) this.wake = undefined;
      this.pump();
    });
    this.wake = { at, timer };
  }

  private inFlightByPortal(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const { portal } of [...this.running.values(), ...this.starting.values()]) counts.set(portal, (counts.get(portal) ?? 0) + 1);
    return counts;
  }

  private inFlightBySession(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const { masterSession } of [...this.running.values(), ...this.starting.values()]) counts.set(masterSession, (counts.get(masterSession) ?? 0) + 1);
    return counts;
  }

  /** The portal's start times still within the per-minute window, oldest first (the last one is kept for the spacing). */
  private recentStarts(portal: string, now: number): number[] {
    const all = this.starts.get(portal) ?? [];
    const kept = all.filter((at, i) => at > now - START_HISTORY_MS || i === all.length - 1);
    if (kept.length !== all.length) this.starts.set(portal, kept);
    return kept;
  }
}

function fifoCompare(a: QueuedJob, b: QueuedJob): number {
  return a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : a.position - b.position;
}
