// Session leases, the runtime behind the session-lease machine: a script outside the engine
// borrows a portal's logged-in session for a while. Mode `devtools` launches a browser of the
// lease's own (its own process and temporary profile, the portal's browser settings) seeded with
// a copy of the master session — every cookie and the origin's storage, read through CDP as a
// job's clone reads them — listening for DevTools clients on 127.0.0.1 only; the script gets that
// endpoint, never the master browser, so it cannot reach the master page or any job's context.
// Mode `cookies` reads the session's cookies for the portal origin and hands them out once.
//
// What is lent lives in this process's memory only: the endpoint and the cookies go into the
// HTTP answer, never into an event, a log line or an error message.
//
// Concurrency: a lease takes no job slot. Making the copy reads the master page through CDP (as
// a clone does, a few milliseconds); after that the lease runs in its own process. Leases are
// capped on their own (`maxLeases`, over all portals): a request beyond it is a 409, it never
// waits for, nor takes, a job's slot. What a lease shares with the jobs is the portal's login:
// the copy is the same server-side session, so a script that logs out ends the master session
// too (its next probe sees it and the normal recovery path logs in again).
//
// Restart policy: a leased browser dies with the process. At start every lease restored as
// `active` is sent LEASE_LOST (`engine_restarted`) and ends; one caught opening is reconciled
// the same way (the request that asked for it got no answer). Its expiry timer is durable: one
// that fell due while the engine was down fires at start instead.
import {
  EngineError,
  InvalidCommandError,
  NotFoundError,
  RandomIdGenerator,
  ValidationError,
  type ActorHost,
  type Clock,
  type EffectHandlers,
  type IdGenerator,
  type Logger,
  type StateOf,
} from '@engine/core';
import { captureSession, devtoolsEndpoint, restoreCookies, seedStorage, type BrowserHost, type ManagedBrowser, type SessionSource, type SessionState } from '@engine/browser';
import {
  DEFAULT_LEASE_TTL_MS,
  isMasterAvailable,
  MAX_LEASE_TTL_MS,
  leaseStartRefusal,
  MASTER_SESSION_MACHINE,
  masterSessionStream,
  masterStateName,
  SESSION_LEASE_MACHINE,
  sessionLeaseInputProblems,
  type LeaseLostReason,
  type LeaseMode,
  type SessionLeaseDefinition,
  type SessionLeaseEvent,
  type SessionLeaseInput,
} from '@engine/machines';
import { KeyedLock } from '../workflows/keyed-lock';
import { leaseView, type GrantedLease, type LeaseCookie, type LeaseView } from './lease-view';

export interface SessionLeasesConfig {
  /** Leases live at once over all portals (each devtools lease is a Chromium process). Default 2. */
  maxLeases: number;
  /** ttl of a request that names none. Default 5 minutes (bounded by the machine: 1 s to 1 h). */
  defaultTtlMs: number;
  /** The longest ttl a request may ask for (a longer one is refused, 400). Default and at most the machine's bound, 1 h. */
  maxTtlMs: number;
  /** How long a request waits for the copy before answering. Default 30 s. */
  settleTimeoutMs: number;
  launchTimeoutMs: number;
}

export const DEFAULT_SESSION_LEASES_CONFIG: SessionLeasesConfig = {
  maxLeases: 2,
  defaultTtlMs: DEFAULT_LEASE_TTL_MS,
  maxTtlMs: MAX_LEASE_TTL_MS,
  settleTimeoutMs: 30_000,
  launchTimeoutMs: 30_000,
};

export interface LeaseRequest {
  portal: string;
  /** One of the portal's accounts (its master session is lent); default: the portal's first (or only) one. */
  account?: string;
  ttlMs?: number;
  mode?: LeaseMode;
}

export interface SessionLeasesOptions {
  host: ActorHost;
  /** The master session of a portal's account (`<portal>` for its first, `<portal>.<account>` for the others); undefined for an unknown account. */
  sessionOf?: (portal: string, account: string) => string | undefined;
  browsers: BrowserHost;
  /** The portal's logged-in master page, when its browser is up. */
  masterSource: (portal: string) => SessionSource | undefined;
  portals: () => string[];
  clock: Clock;
  logger: Logger;
  ids?: IdGenerator;
  config?: Partial<SessionLeasesConfig>;
  /**
   * The health guard of the master session (SessionOperations): copying from it waits while it is
   * dead and is cancelled when it dies under the copy; a request refused because it was not
   * available is counted under its outage. Absent: copies run as they are.
   */
  guard?: LeaseGuard;
}

/** What the leases need of the health guard (SessionOperations). */
export interface LeaseGuard {
  run<T>(sessionId: string, name: string, fn: (signal: AbortSignal) => Promise<T>, options: { signal: AbortSignal }): Promise<T>;
  refused(sessionId: string, name: string): void;
}

/** The operation name a lease's copy and a refused lease request are counted under. */
export const LEASE_OPERATION = 'lease';

/** The lease ended before it was opened: the copy or its browser failed (`failure`: a code), or its ttl ran out first. */
export class LeaseUnavailableError extends EngineError {
  constructor(leaseId: string, why: string | null) {
    super('LEASE_UNAVAILABLE', `lease ${leaseId} could not be opened${why ? ` (${why})` : ''} and was closed`, { details: { leaseId, why } });
  }
}

type LeaseState = StateOf<SessionLeaseDefinition>;

/** What one live lease lent out, in memory only. */
interface Lent {
  browser?: ManagedBrowser;
  endpoint?: string;
  /** Mode cookies: held until the creating request hands them out. */
  cookies?: LeaseCookie[];
}

const PREFIX = SESSION_LEASE_MACHINE.streamPrefix;
const streamOf = (leaseId: string) => `${PREFIX}${leaseId}`;

export class SessionLeases {
  readonly config: SessionLeasesConfig;
  private readonly lent = new Map<string, Lent>();
  private readonly locks = new KeyedLock();
  private readonly ids: IdGenerator;

  constructor(private readonly options: SessionLeasesOptions) {
    this.config = { ...DEFAULT_SESSION_LEASES_CONFIG, ...options.config };
    if (this.config.defaultTtlMs > this.config.maxTtlMs) throw new RangeError(`leases.defaultTtlMs (${this.config.defaultTtlMs}) must not exceed leases.maxTtlMs (${this.config.maxTtlMs})`);
    this.ids = options.ids ?? new RandomIdGenerator();
  }

  /**
   * Leases the portal's session: 404 for an unknown portal, 400 for a ttl out of bounds, 409 when
   * the master session is not ready or `maxLeases` are live. Waits for the copy; the answer holds
   * what was lent (once). LeaseUnavailableError when the copy failed (the lease is closed).
   */
  async create(request: LeaseRequest, by: string): Promise<GrantedLease> {
    if (!this.options.portals().includes(request.portal)) throw new NotFoundError('portal', request.portal);
    // The lease names the master session it lends: the portal's id, or `<portal>.<account>`.
    const portal = request.account === undefined ? request.portal : this.options.sessionOf?.(request.portal, request.account);
    if (portal === undefined) throw new NotFoundError('account', `${request.portal}.${request.account}`);
    const leaseId = this.ids.next();
    const input: SessionLeaseInput = { leaseId, portal, mode: request.mode ?? 'devtools', ttlMs: request.ttlMs ?? this.config.defaultTtlMs, by, at: this.now() };
    const problems = sessionLeaseInputProblems(input);
    if (problems.length > 0) throw new ValidationError('invalid lease request', Object.fromEntries(problems.map((p) => [p.split(' ')[0], p])));
    if (input.ttlMs > this.config.maxTtlMs) throw new ValidationError('invalid lease request', { ttlMs: `ttlMs must be at most ${this.config.maxTtlMs} (leases.maxTtlMs)` });
    const master = this.options.host.feed.getOf(MASTER_SESSION_MACHINE, portal)?.state;
    const available = isMasterAvailable(master) && this.options.masterSource(portal) !== undefined;
    const refusal = leaseStartRefusal(portal, masterStateName(master), available);
    if (refusal) {
      // Counted under the session's outage (its incident), not as a failure of its own.
      this.options.guard?.refused(masterSessionStream(portal), LEASE_OPERATION);
      throw new InvalidCommandError(masterSessionStream(portal), 'LEASE', masterStateName(master), refusal);
    }
    const live = this.live().length;
    if (live >= this.config.maxLeases) throw new InvalidCommandError(`${PREFIX}*`, 'LEASE', `${live} live`, `at most ${this.config.maxLeases} leases may be live at once (leases.maxLeases)`);

    await this.options.host.create(SESSION_LEASE_MACHINE, leaseId, input);
    const state = await this.settle(leaseId, (s) => s.value !== 'opening');
    if (state.value !== 'active') {
      if (state.value === 'opening') await this.release(leaseId, by).catch(() => undefined);
      throw new LeaseUnavailableError(leaseId, state.context.lastFailure ?? state.context.endReason);
    }
    const lent = this.lent.get(leaseId);
    const cookies = lent?.cookies ?? null;
    if (lent) delete lent.cookies;
    return { ...leaseView(state), devtools: lent?.endpoint ? { browserWSEndpoint: lent.endpoint } : null, cookies };
  }

  /** Leases not yet ended (opening, active, closing), oldest first. */
  list(): LeaseView[] {
    return this.live()
      .map(leaseView)
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.leaseId.localeCompare(b.leaseId));
  }

  /** Any lease, ended ones included (their end is recorded). */
  get(leaseId: string): LeaseView {
    return leaseView(this.require(leaseId));
  }

  /** Gives the lease back: its browser is closed. 409 (the machine's reason) once it is ending. */
  async release(leaseId: string, by: string): Promise<LeaseView> {
    const current = this.require(leaseId);
    if (current.status !== 'active') throw new InvalidCommandError(streamOf(leaseId), 'RELEASE', current.value, 'the lease has ended');
    await this.options.host.send(streamOf(leaseId), { type: 'RELEASE', by, at: this.now() });
    return leaseView(await this.settle(leaseId, (s) => s.status !== 'active'));
  }

  /** After the host restored the log: a lease restored as active lost its browser with the last process. */
  async start(): Promise<void> {
    try {
      this.options.host.definition(SESSION_LEASE_MACHINE.id);
    } catch {
      return; // an engine that does not host leases (audit tools)
    }
    const now = this.options.clock.now();
    for (const state of this.live()) {
      // One that fell due while the engine was down ends by its own timer, as expired.
      if (state.value === 'active' && Date.parse(state.context.expiresAt) > now) await this.lose(state.context.leaseId, 'engine_restarted');
    }
  }

  /** Closes every leased browser. Streams stay as they are: the next start ends them as lost. */
  async close(): Promise<void> {
    const browsers = [...this.lent.values()].flatMap((l) => (l.browser ? [l.browser] : []));
    this.lent.clear();
    await Promise.all(browsers.map((b) => b.close().catch(() => undefined)));
  }

  effects(): EffectHandlers<SessionLeaseDefinition> {
    return {
      openLease: {
        run: (p, ctx) => this.locks.run(p.leaseId, () => this.guardedOpen(p.leaseId, p.portal, p.mode, ctx.signal)),
        // The request that asked for it got no answer and nobody holds what it lent: it ends as lost.
        onInterrupted: async () => ({ type: 'LEASE_LOST', reason: 'engine_restarted', at: this.now() }) as const,
      },
      closeLease: {
        run: (p) =>
          this.locks.run(p.leaseId, async () => {
            const lent = this.lent.get(p.leaseId);
            this.lent.delete(p.leaseId);
            await lent?.browser?.close();
            return { type: 'LEASE_CLOSED', at: this.now() } as const;
          }),
      },
    };
  }

  /**
   * The copy under the health guard: while the master session is dead it waits (until the lease
   * stops opening: released, expired or lost meanwhile), and a death during the copy cancels it.
   */
  private async guardedOpen(leaseId: string, portal: string, mode: LeaseMode, signal: AbortSignal): Promise<SessionLeaseEvent> {
    const guard = this.options.guard;
    if (!guard) return this.open(leaseId, portal, mode, signal);
    const feed = this.options.host.feed;
    const ended = new AbortController();
    void feed
      .waitFor(streamOf(leaseId), () => feed.getOf(SESSION_LEASE_MACHINE, leaseId)?.state.value !== 'opening', { signal: ended.signal })
      .then(() => ended.abort(new EngineError('LEASE_ENDED', `lease ${leaseId} ended while waiting for its master session`)), () => undefined);
    try {
      return await guard.run(
        masterSessionStream(portal),
        LEASE_OPERATION,
        async (guarded) => {
          // Healthy again is a live browser; the copy also needs the login back (a recovery in progress).
          await this.untilAvailable(portal, guarded);
          return this.open(leaseId, portal, mode, guarded);
        },
        { signal: AbortSignal.any([signal, ended.signal]) },
      );
    } finally {
      ended.abort();
    }
  }

  private async untilAvailable(portal: string, signal: AbortSignal): Promise<void> {
    const feed = this.options.host.feed;
    const available = () => isMasterAvailable(feed.getOf(MASTER_SESSION_MACHINE, portal)?.state) && this.options.masterSource(portal) !== undefined;
    if (available()) return;
    await feed.waitFor(masterSessionStream(portal), available, { signal });
  }

  private async open(leaseId: string, portal: string, mode: LeaseMode, signal: AbortSignal): Promise<SessionLeaseEvent> {
    const source = this.options.masterSource(portal);
    if (!source) throw new EngineError('MASTER_UNAVAILABLE', `the master session of ${portal} has no live browser`);
    const state = await captureSession(source.page, source.origin);
    if (mode === 'cookies') {
      this.lent.set(leaseId, { cookies: cookiesOfOrigin(state) });
      return { type: 'LEASE_OPENED', at: this.now() };
    }
    // The portal's flags, proxy, language and time zone; not the master's download folder.
    const { downloadDir: _downloads, ...settings } = source.browser.settings;
    const browser = await this.options.browsers.launch({ settings, loopbackDevtools: true, signal, timeoutMs: this.config.launchTimeoutMs });
    try {
      await restoreCookies(browser.browser.defaultBrowserContext(), state);
      const page = (await browser.browser.pages())[0] ?? (await browser.browser.newPage());
      // Chromium opens its new-tab page; the script starts from a blank one.
      if (page.url() !== 'about:blank') await page.goto('about:blank', { timeout: this.config.launchTimeoutMs });
      await browser.preparePage(page);
      await seedStorage(page, state);
      const endpoint = await devtoolsEndpoint(browser, { signal, timeoutMs: this.config.launchTimeoutMs });
      this.lent.set(leaseId, { browser, endpoint });
      browser.onDisconnected((info) => {
        if (info.reason === 'crashed' && this.lent.get(leaseId)?.browser === browser) void this.lose(leaseId, 'browser_crashed');
      });
      this.options.logger.info('session lease opened', { lease: leaseId, portal, mode });
      return { type: 'LEASE_OPENED', at: this.now() };
    } catch (error) {
      await browser.close().catch(() => undefined);
      throw error;
    }
  }

  private live(): LeaseState[] {
    const states: LeaseState[] = [];
    for (const entry of this.options.host.feed.allOf(SESSION_LEASE_MACHINE)) if (entry.state.status === 'active') states.push(entry.state);
    return states;
  }

  private require(leaseId: string): LeaseState {
    const entry = this.options.host.feed.getOf(SESSION_LEASE_MACHINE, leaseId);
    if (!entry) throw new NotFoundError('lease', leaseId);
    return entry.state;
  }

  private async lose(leaseId: string, reason: LeaseLostReason): Promise<void> {
    await this.options.host.send(streamOf(leaseId), { type: 'LEASE_LOST', reason, at: this.now() }).catch((error) => {
      // Already ending (released or expired meanwhile): nothing to do.
      if (!(error instanceof InvalidCommandError)) this.options.logger.error('lease could not be ended as lost', { lease: leaseId, code: (error as { code?: string }).code });
    });
  }

  private now(): string {
    return new Date(this.options.clock.now()).toISOString();
  }

  /** Waits, on the read feed, until the lease's state satisfies `done`, or the settle timeout passes. */
  private async settle(leaseId: string, done: (state: LeaseState) => boolean): Promise<LeaseState> {
    const feed = this.options.host.feed;
    // A bound on waiting for a browser, not a clock of the domain: real time on purpose.
    const bound = AbortSignal.timeout(this.config.settleTimeoutMs);
    try {
      await feed.waitFor(streamOf(leaseId), () => {
        const state = feed.getOf(SESSION_LEASE_MACHINE, leaseId)?.state;
        return state !== undefined && done(state);
      }, { signal: bound });
    } catch (error) {
      if (!bound.aborted) throw error;
    }
    return this.require(leaseId);
  }
}

/** The cookies a request to the portal origin would carry (its host's and its parent domains'). */
function cookiesOfOrigin(state: SessionState): LeaseCookie[] {
  const host = new URL(state.origin).hostname;
  return state.cookies
    .filter((c) => {
      const domain = (c.domain ?? '').replace(/^\./, '');
      return domain === host || host.endsWith(`.${domain}`);
    })
    .map((c) => ({
      name: c.name,
      value: c.value,
      domain: c.domain ?? host,
      path: c.path ?? '/',
      expires: c.expires ?? null,
      httpOnly: c.httpOnly ?? false,
      secure: c.secure ?? false,
      sameSite: c.sameSite ?? null,
    }));
}
