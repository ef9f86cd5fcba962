// The effects of the master-session machine, against real Chromium: one persistent browser and
// one logged-in page per master session (a portal's account: `<portal>` or `<portal>.<account>`,
// master-session.names.ts, read from the effect's stream), the page every job clones. Each
// account has its own profile folder, credentials (in its session's input) and browser settings
// (its proxy over the portal's). Launch, login (with a captcha
// solver; a manual one parks the login until an operator answers, or until its challenge
// expires or the login gives up, whichever comes first), probe, close, and the
// profile backup / wipe / restore of nuclear recovery. A browser that disconnects on its own
// is reported to its master session at once, which starts recovery (single-flight).
import type { Page } from 'puppeteer-core';
import { BrowserError, EngineError, errorCode, InvalidCommandError, type ActorHost, type Clock, type EffectHandlers, type Logger, type SecretProvider } from '@engine/core';
import type { BrowserHost, BrowserSettings, ManagedBrowser, ProfileStore, SessionSource } from '@engine/browser';
import { automaticSolveMs, manualStageOf, type CaptchaSolver, type SessionCaptchaChallenge } from '@engine/portals';
import {
  MASTER_SESSION_MACHINE,
  MASTER_STREAM_PREFIX,
  masterSessionId,
  parseMasterSessionId,
  resolveCaptchaPolicy,
  type CaptchaPolicy,
  type LoginParams,
  type MasterSessionConfigOverrides,
  type MasterSessionDefinition,
  type MasterSessionEvent,
  type ProbeSessionParams,
} from '@engine/machines';
import type { PortalRegistry } from '../portals/portal-registry';

export interface MasterTimeouts {
  launchMs: number;
  loginMs: number;
  probeMs: number;
}

/** A portal's browser: launched with these settings, or one that runs elsewhere, reached at its DevTools endpoint. */
export interface PortalBrowser extends BrowserSettings {
  remoteEndpoint?: string | null;
}

export interface MasterSessionRuntimeOptions {
  /** The host the runtime records a lost browser in (BROWSER_LOST) and starts master sessions on. */
  host: ActorHost;
  browsers: BrowserHost;
  profiles: ProfileStore;
  portals: PortalRegistry;
  /** The solver per portal: the simulator's test solver, a ManualCaptchaSolver an operator answers, or a chain (possibly ending with one). */
  captcha: (portal: string) => CaptchaSolver;
  secrets: SecretProvider;
  clock: Clock;
  logger: Logger;
  timeouts?: Partial<MasterTimeouts>;
  /** A portal's own timeouts and browser (the server's per-portal settings); default: the engine's. */
  portalOptions?: (portal: string) => { timeouts?: Partial<MasterTimeouts>; browser?: PortalBrowser } | undefined;
  /** A master session's own browser settings (its account's proxy), over its portal's, by instance id (`<portal>` or `<portal>.<account>`); absent: the portal's. */
  accountBrowser?: (session: string) => Partial<BrowserSettings> | undefined;
  /** How long an operator has to answer a captcha, and what happens when nobody does (recorded with each challenge). */
  captchaPolicy?: Partial<CaptchaPolicy>;
  /** Told when a master session's browser comes up (the browser) or goes away (null), by its stream: the health monitor watches it. */
  onBrowser?: (stream: string, browser: ManagedBrowser | null) => void;
}

interface LiveMaster {
  browser: ManagedBrowser;
  page: Page;
  /** Set while we close it ourselves: that disconnect is not a failure. */
  closing: boolean;
}

type LoginOutcome = MasterSessionEvent;

/** A login waiting on an operator's answer: its outcome, and how to give it up. */
interface ParkedLogin {
  /** The master session's instance id. */
  session: string;
  outcome: Promise<LoginOutcome>;
  abort: AbortController;
}

export class MasterSessionRuntime {
  private readonly live = new Map<string, LiveMaster>();
  /** Logins waiting for an operator's captcha answer, by challenge id. */
  private readonly parkedLogins = new Map<string, ParkedLogin>();
  private readonly timeouts: MasterTimeouts;
  readonly captchaPolicy: CaptchaPolicy;

  constructor(private readonly options: MasterSessionRuntimeOptions) {
    this.timeouts = { launchMs: 30_000, loginMs: 60_000, probeMs: 10_000, ...options.timeouts };
    this.captchaPolicy = resolveCaptchaPolicy(options.captchaPolicy);
  }

  /** Whether a login of this process waits on the challenge (after a restart none does). */
  hasParkedLogin(challengeId: string): boolean {
    return this.parkedLogins.has(challengeId);
  }

  /** The logged-in page jobs clone, when the master session's browser is up (`session`: `<portal>` or `<portal>.<account>`). */
  source(session: string): SessionSource | undefined {
    const master = this.live.get(session);
    if (!master || !master.browser.connected || master.page.isClosed()) return undefined;
    return { browser: master.browser, page: master.page, origin: this.options.portals.get(parseMasterSessionId(session).portal).origin };
  }

  /** Starts the master session stream `master-<session>` (default: the portal's own, `<portal>`; an account's: `<portal>.<account>`) if the log has none. */
  async ensure(portal: string, credentialsRef: string, config?: MasterSessionConfigOverrides, session: string = masterSessionId(portal)): Promise<void> {
    const host = this.options.host;
    if (await host.getState(MASTER_STREAM_PREFIX + session)) return;
    await host.create(MASTER_SESSION_MACHINE, session, { portal, credentialsRef, jitterSeed: session, ...(config ? { config } : {}) }).catch((error) => {
      if ((error as EngineError).code !== 'VERSION_CONFLICT') throw error;
    });
  }

  async closeAll(): Promise<void> {
    await Promise.all([...new Set([...this.live.keys(), ...[...this.parkedLogins.values()].map((p) => p.session)])].map((session) => this.closeBrowser(session)));
  }

  /** Every master-session effect but `sendAlert` (the alerter's). Each acts on the session its stream names. */
  effects(): Omit<EffectHandlers<MasterSessionDefinition>, 'sendAlert'> {
    return {
      launchBrowser: { run: (_p, ctx) => this.launch(sessionOf(ctx.stream), ctx.signal).then(() => ({ type: 'BROWSER_LAUNCHED' }) as const) },
      closeBrowser: { run: (_p, ctx) => this.closeBrowser(sessionOf(ctx.stream)).then(() => ({ type: 'BROWSER_CLOSED' }) as const) },
      login: { run: (p, ctx) => this.login(sessionOf(ctx.stream), p, ctx.signal) },
      relogin: { run: (p, ctx) => this.login(sessionOf(ctx.stream), p, ctx.signal) },
      probeSession: { run: (p, ctx) => this.probe(sessionOf(ctx.stream), p, ctx.signal) },
      backupProfile: {
        run: async (_p, ctx) => ({ type: 'PROFILE_BACKED_UP', backupRef: (await this.options.profiles.backup(sessionOf(ctx.stream))).backupId }) as const,
      },
      wipeProfile: { run: async (_p, ctx) => (await this.options.profiles.wipe(sessionOf(ctx.stream)), { type: 'PROFILE_WIPED' as const }) },
      withdrawCaptcha: { run: (p) => this.withdraw(p.challengeId, 'expired') },
      restoreProfile: {
        run: async (p, ctx) => {
          const session = sessionOf(ctx.stream);
          await this.closeBrowser(session);
          await this.options.profiles.restore(session, p.backupRef);
          await this.launch(session, ctx.signal);
          return { type: 'PROFILE_RESTORED' } as const;
        },
      },
    };
  }

  private now(): string {
    return new Date(this.options.clock.now()).toISOString();
  }

  private timeoutsOf(portal: string): MasterTimeouts {
    const own = this.options.portalOptions?.(portal)?.timeouts ?? {};
    return { ...this.timeouts, ...Object.fromEntries(Object.entries(own).filter(([, value]) => value !== undefined)) };
  }

  private async launch(session: string, signal: AbortSignal): Promise<void> {
    await this.closeBrowser(session);
    const { portal } = parseMasterSessionId(session);
    const { remoteEndpoint, ...portalSettings } = this.options.portalOptions?.(portal)?.browser ?? {};
    const own = this.options.accountBrowser?.(session);
    const settings: BrowserSettings = { ...portalSettings, ...Object.fromEntries(Object.entries(own ?? {}).filter(([, value]) => value !== undefined)) };
    const timeoutMs = this.timeoutsOf(portal).launchMs;
    // A remote browser keeps its own profile: backup, wipe and restore act on the local folder only.
    const browser = remoteEndpoint
      ? await this.options.browsers.connect(remoteEndpoint, { signal, timeoutMs, settings })
      : await this.options.browsers.launch({ userDataDir: await this.options.profiles.profileDir(session), signal, timeoutMs, settings });
    const [existing] = remoteEndpoint ? [] : await browser.browser.pages();
    const page = existing ?? (await browser.browser.newPage());
    await browser.preparePage(page);
    const master: LiveMaster = { browser, page, closing: false };
    this.live.set(session, master);
    this.options.onBrowser?.(MASTER_STREAM_PREFIX + session, browser);
    browser.onDisconnected((info) => {
      if (master.closing || this.live.get(session) !== master) return;
      this.live.delete(session);
      this.options.logger.warn('master browser disconnected', { portal, session, reason: info.reason });
      this.options.host
        .send(MASTER_STREAM_PREFIX + session, { type: 'BROWSER_LOST', reason: `browser_${info.reason}`, at: this.now() })
        .catch((error) => {
          if (!(error instanceof InvalidCommandError)) this.options.logger.error('disconnect could not be reported', { portal, session, code: (error as EngineError).code });
        });
    });
  }

  private async closeBrowser(session: string): Promise<void> {
    await this.withdrawAll(session);
    const master = this.live.get(session);
    if (!master) return;
    master.closing = true;
    this.live.delete(session);
    this.options.onBrowser?.(MASTER_STREAM_PREFIX + session, null);
    await master.browser.close();
  }

  private requirePage(session: string): Page {
    const master = this.live.get(session);
    if (!master || !master.browser.connected) throw new BrowserError('NO_BROWSER', `session ${session}: the master browser is not running`);
    return master.page;
  }

  private async login(session: string, p: LoginParams, signal: AbortSignal): Promise<LoginOutcome> {
    if (p.challengeId) {
      const parked = this.parkedLogins.get(p.challengeId);
      this.parkedLogins.delete(p.challengeId);
      // After a restart the parked login is gone with its page: report it, a fresh login follows.
      return parked?.outcome ?? { type: 'LOGIN_FAILED', error: { code: 'CAPTCHA_EXPIRED', message: 'the captcha challenge is no longer open' } };
    }
    // A login parked on an earlier challenge of this session gives the page up first.
    await this.withdrawAll(session);
    // Re-login after the process restarted or the browser died: there is no browser to re-use.
    if (!this.source(session)) await this.launch(session, signal);
    const page = this.requirePage(session);
    const adapter = this.options.portals.get(p.portal);
    const credentials = await this.options.secrets.resolve(p.credentialsRef);
    const solver = this.options.captcha(p.portal);
    const loginWith = (captcha: CaptchaSolver, loginSignal: AbortSignal, timeoutMs: number) =>
      adapter
        .login(page, credentials, captcha, { signal: loginSignal, timeoutMs })
        .then((): LoginOutcome => ({ type: 'LOGGED_IN', at: this.now() }))
        .catch((error: unknown): LoginOutcome => {
          // By code, not class: an adapter built in another project throws its own copy of the kit's errors.
          const code = errorCode(error);
          if (code && code !== 'ABORTED') return { type: 'LOGIN_FAILED', error: { code, message: (error as Error).message } };
          throw error;
        });
    // A chain may end at a person (an external service first, then the operator): its automatic
    // stages get their own timeouts on top of the login's, and the login is parked only once its
    // manual stage asks (after the automatic ones failed); one that answers logs in directly.
    const manual = manualStageOf(solver);
    const automaticMs = automaticSolveMs(solver);
    if (!manual) return loginWith(solver, signal, this.timeoutsOf(p.portal).loginMs + automaticMs);

    // A person must read the captcha: answer CAPTCHA_REQUIRED now (the machine waits in
    // awaitingCaptcha, its expiry on a durable timer) and park the login until CAPTCHA_ANSWERED
    // asks for its outcome. The parked login outlives this effect: it has its own abort, and
    // time for the whole answer window plus the login itself.
    const policy = this.captchaPolicy;
    const abort = new AbortController();
    const forward = () => abort.abort(signal.reason);
    signal.addEventListener('abort', forward, { once: true });
    let answered = false;
    // The challenge names this session: another account of the portal may be asked at the same time.
    const tracked: CaptchaSolver = {
      solve: (challenge, o) => {
        const own: SessionCaptchaChallenge = { ...challenge, session };
        return solver.solve(own, o).then((text) => ((answered = true), text));
      },
    };
    const attempt = loginWith(tracked, abort.signal, this.timeoutsOf(p.portal).loginMs + automaticMs + policy.answerWithinMs);
    return new Promise<LoginOutcome>((resolve, reject) => {
      const stop = manual.onPending((challenge) => {
        if (challenge.session !== undefined ? challenge.session !== session : challenge.portal !== p.portal) return;
        stop();
        signal.removeEventListener('abort', forward);
        this.parkedLogins.set(challenge.id, { session, outcome: attempt, abort });
        // Given up before anyone answered (the portal's page timed out, the browser died): the
        // challenge cannot be answered any more, so the session is told to ask another.
        attempt.then(
          (outcome) => outcome.type !== 'LOGGED_IN' && this.reportWithdrawn(challenge.id, session, answered, outcome.type === 'LOGIN_FAILED' ? outcome.error.code : outcome.type),
          (error: unknown) => this.reportWithdrawn(challenge.id, session, answered, errorCode(error) ?? 'LOGIN_ABORTED'),
        );
        const at = this.options.clock.now();
        resolve({ type: 'CAPTCHA_REQUIRED', challengeId: challenge.id, at: new Date(at).toISOString(), expiresAt: new Date(at + policy.answerWithinMs).toISOString(), policy });
      });
      attempt.then(
        (outcome) => (stop(), signal.removeEventListener('abort', forward), resolve(outcome)),
        (error) => (stop(), signal.removeEventListener('abort', forward), reject(error)),
      );
    });
  }

  /** A parked login ended on its own, unanswered and not withdrawn by us. */
  private reportWithdrawn(challengeId: string, session: string, answered: boolean, reason: string): void {
    if (answered || !this.parkedLogins.has(challengeId)) return;
    this.parkedLogins.delete(challengeId);
    this.options.logger.warn('captcha login gave up before an answer', { session, challengeId, reason });
    this.options.host.send(MASTER_STREAM_PREFIX + session, { type: 'CAPTCHA_WITHDRAWN', challengeId, reason }).catch((error) => {
      if (!(error instanceof InvalidCommandError)) this.options.logger.error('withdrawn captcha could not be reported', { session, code: (error as EngineError).code });
    });
  }

  /** Gives up the login parked on `challengeId`: its challenge leaves the solver's list, its page is free. */
  private async withdraw(challengeId: string, why: 'expired' | 'replaced'): Promise<void> {
    const parked = this.parkedLogins.get(challengeId);
    if (!parked) return;
    this.parkedLogins.delete(challengeId);
    if (why === 'expired') this.options.logger.warn('captcha challenge expired unanswered', { session: parked.session, challengeId });
    else this.options.logger.info('captcha login given up: the session moved on', { session: parked.session, challengeId });
    parked.abort.abort();
    await parked.outcome.catch(() => undefined);
  }

  private async withdrawAll(session: string): Promise<void> {
    const ids = [...this.parkedLogins].filter(([, parked]) => parked.session === session).map(([id]) => id);
    await Promise.all(ids.map((id) => this.withdraw(id, 'replaced')));
  }

  private async probe(session: string, p: ProbeSessionParams, signal: AbortSignal): Promise<MasterSessionEvent> {
    const page = this.requirePage(session);
    const result = await this.options.portals.get(p.portal).probe(page, { signal, timeoutMs: this.timeoutsOf(p.portal).probeMs });
    return result.status === 'valid'
      ? { type: 'PROBE_OK', probe: p.probe, at: this.now() }
      : { type: 'PROBE_FAILED', probe: p.probe, at: this.now(), reason: result.status };
  }
}

/** The master session instance an effect acts on: its stream without the prefix. */
function sessionOf(stream: string): string {
  return stream.startsWith(MASTER_STREAM_PREFIX) ? stream.slice(MASTER_STREAM_PREFIX.length) : stream;
}
