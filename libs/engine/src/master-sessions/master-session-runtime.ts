// The effects of the master-session machine, against real Chromium: one persistent browser and
// one logged-in page per portal, the page every job clones. Launch, login (with a captcha
// solver; a manual one parks the login until an operator answers), probe, close, and the
// profile backup / wipe / restore of nuclear recovery. A browser that disconnects on its own
// is reported to its master session at once, which starts recovery (single-flight).
import type { Page } from 'puppeteer-core';
import { BrowserError, EngineError, errorCode, InvalidCommandError, type ActorHost, type Clock, type EffectHandlers, type Logger, type SecretProvider } from '@engine/core';
import type { BrowserHost, ManagedBrowser, ProfileStore, SessionSource } from '@engine/browser';
import { ManualCaptchaSolver, type CaptchaSolver } from '@engine/portals';
import { MASTER_SESSION_MACHINE, type LoginParams, type MasterSessionConfigOverrides, type MasterSessionDefinition, type MasterSessionEvent, type ProbeSessionParams } from '@engine/machines';
import type { PortalRegistry } from '../portals/portal-registry';

export interface MasterSessionRuntimeOptions {
  /** The host the runtime records a lost browser in (BROWSER_LOST) and starts master sessions on. */
  host: ActorHost;
  browsers: BrowserHost;
  profiles: ProfileStore;
  portals: PortalRegistry;
  /** The solver per portal: the simulator's test solver, or a ManualCaptchaSolver an operator answers. */
  captcha: (portal: string) => CaptchaSolver;
  secrets: SecretProvider;
  clock: Clock;
  logger: Logger;
  timeouts?: Partial<{ launchMs: number; loginMs: number; probeMs: number }>;
  /** Told when a portal's master browser comes up (the browser) or goes away (null): the health monitor watches it. */
  onBrowser?: (portal: string, browser: ManagedBrowser | null) => void;
}

interface LiveMaster {
  browser: ManagedBrowser;
  page: Page;
  /** Set while we close it ourselves: that disconnect is not a failure. */
  closing: boolean;
}

type LoginOutcome = MasterSessionEvent;

export class MasterSessionRuntime {
  private readonly live = new Map<string, LiveMaster>();
  /** Logins waiting for an operator's captcha answer, by challenge id. */
  private readonly parkedLogins = new Map<string, Promise<LoginOutcome>>();
  private readonly timeouts: { launchMs: number; loginMs: number; probeMs: number };

  constructor(private readonly options: MasterSessionRuntimeOptions) {
    this.timeouts = { launchMs: 30_000, loginMs: 60_000, probeMs: 10_000, ...options.timeouts };
  }

  /** The logged-in page jobs clone, when the portal's browser is up. */
  source(portal: string): SessionSource | undefined {
    const master = this.live.get(portal);
    if (!master || !master.browser.connected || master.page.isClosed()) return undefined;
    return { browser: master.browser, page: master.page, origin: this.options.portals.get(portal).origin };
  }

  /** Starts the portal's master session stream if the log has none. */
  async ensure(portal: string, credentialsRef: string, config?: MasterSessionConfigOverrides): Promise<void> {
    const host = this.options.host;
    if (await host.getState(`master-${portal}`)) return;
    await host.create(MASTER_SESSION_MACHINE, portal, { portal, credentialsRef, jitterSeed: portal, ...(config ? { config } : {}) }).catch((error) => {
      if ((error as EngineError).code !== 'VERSION_CONFLICT') throw error;
    });
  }

  async closeAll(): Promise<void> {
    await Promise.all([...this.live.keys()].map((portal) => this.closeBrowser(portal)));
  }

  /** Every master-session effect but `sendAlert` (the alerter's). */
  effects(): Omit<EffectHandlers<MasterSessionDefinition>, 'sendAlert'> {
    return {
      launchBrowser: { run: (p, ctx) => this.launch(p.portal, ctx.signal).then(() => ({ type: 'BROWSER_LAUNCHED' }) as const) },
      closeBrowser: { run: (p) => this.closeBrowser(p.portal).then(() => ({ type: 'BROWSER_CLOSED' }) as const) },
      login: { run: (p, ctx) => this.login(p, ctx.signal) },
      relogin: { run: (p, ctx) => this.login(p, ctx.signal) },
      probeSession: { run: (p, ctx) => this.probe(p, ctx.signal) },
      backupProfile: {
        run: async (p) => ({ type: 'PROFILE_BACKED_UP', backupRef: (await this.options.profiles.backup(p.portal)).backupId }) as const,
      },
      wipeProfile: { run: async (p) => (await this.options.profiles.wipe(p.portal), { type: 'PROFILE_WIPED' as const }) },
      restoreProfile: {
        run: async (p, ctx) => {
          await this.closeBrowser(p.portal);
          await this.options.profiles.restore(p.portal, p.backupRef);
          await this.launch(p.portal, ctx.signal);
          return { type: 'PROFILE_RESTORED' } as const;
        },
      },
    };
  }

  private now(): string {
    return new Date(this.options.clock.now()).toISOString();
  }

  private async launch(portal: string, signal: AbortSignal): Promise<void> {
    await this.closeBrowser(portal);
    const userDataDir = await this.options.profiles.profileDir(portal);
    const browser = await this.options.browsers.launch({ userDataDir, signal, timeoutMs: this.timeouts.launchMs });
    const [existing] = await browser.browser.pages();
    const page = existing ?? (await browser.browser.newPage());
    const master: LiveMaster = { browser, page, closing: false };
    this.live.set(portal, master);
    this.options.onBrowser?.(portal, browser);
    browser.onDisconnected((info) => {
      if (master.closing || this.live.get(portal) !== master) return;
      this.live.delete(portal);
      this.options.logger.warn('master browser disconnected', { portal, reason: info.reason });
      this.options.host
        .send(`master-${portal}`, { type: 'BROWSER_LOST', reason: `browser_${info.reason}`, at: this.now() })
        .catch((error) => {
          if (!(error instanceof InvalidCommandError)) this.options.logger.error('disconnect could not be reported', { portal, code: (error as EngineError).code });
        });
    });
  }

  private async closeBrowser(portal: string): Promise<void> {
    const master = this.live.get(portal);
    if (!master) return;
    master.closing = true;
    this.live.delete(portal);
    this.options.onBrowser?.(portal, null);
    await master.browser.close();
  }

  private requirePage(portal: string): Page {
    const master = this.live.get(portal);
    if (!master || !master.browser.connected) throw new BrowserError('NO_BROWSER', `portal ${portal}: the master browser is not running`);
    return master.page;
  }

  private async login(p: LoginParams, signal: AbortSignal): Promise<LoginOutcome> {
    if (p.challengeId) {
      const parked = this.parkedLogins.get(p.challengeId);
      this.parkedLogins.delete(p.challengeId);
      // After a restart the parked login is gone with its page: report it, a fresh login follows.
      return parked ?? { type: 'LOGIN_FAILED', error: { code: 'CAPTCHA_EXPIRED', message: 'the captcha challenge is no longer open' } };
    }
    // Re-login after the process restarted or the browser died: there is no browser to re-use.
    if (!this.source(p.portal)) await this.launch(p.portal, signal);
    const page = this.requirePage(p.portal);
    const adapter = this.options.portals.get(p.portal);
    const credentials = await this.options.secrets.resolve(p.credentialsRef);
    const solver = this.options.captcha(p.portal);
    const attempt = adapter
      .login(page, credentials, solver, { signal, timeoutMs: this.timeouts.loginMs })
      .then((): LoginOutcome => ({ type: 'LOGGED_IN', at: this.now() }))
      .catch((error: unknown): LoginOutcome => {
        // By code, not class: an adapter built in another project throws its own copy of the kit's errors.
        const code = errorCode(error);
        if (code && code !== 'ABORTED') return { type: 'LOGIN_FAILED', error: { code, message: (error as Error).message } };
        throw error;
      });
    if (!(solver instanceof ManualCaptchaSolver)) return attempt;
    // A person must read the captcha: answer CAPTCHA_REQUIRED now (the machine waits in
    // awaitingCaptcha) and park the login until CAPTCHA_ANSWERED asks for its outcome.
    return new Promise<LoginOutcome>((resolve, reject) => {
      const stop = solver.onPending((challenge) => {
        if (challenge.portal !== p.portal) return;
        stop();
        this.parkedLogins.set(challenge.id, attempt);
        attempt.catch(() => undefined);
        resolve({ type: 'CAPTCHA_REQUIRED', challengeId: challenge.id });
      });
      attempt.then(
        (outcome) => (stop(), resolve(outcome)),
        (error) => (stop(), reject(error)),
      );
    });
  }

  private async probe(p: ProbeSessionParams, signal: AbortSignal): Promise<MasterSessionEvent> {
    const page = this.requirePage(p.portal);
    const result = await this.options.portals.get(p.portal).probe(page, { signal, timeoutMs: this.timeouts.probeMs });
    return result.status === 'valid'
      ? { type: 'PROBE_OK', probe: p.probe, at: this.now() }
      : { type: 'PROBE_FAILED', probe: p.probe, at: this.now(), reason: result.status };
  }
}
