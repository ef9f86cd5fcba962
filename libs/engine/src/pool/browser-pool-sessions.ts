// The pool's browser adapter: each pooled session is its own BrowserContext (cookies isolated)
// with one page in a shared Chromium launched on first use. Opening logs in through the
// injected `login` (the portal adapter's), refreshing navigates that page to a logged-in URL
// and checks the verdict with probeSession, closing closes the context.
import type { BrowserContext, Page } from 'puppeteer-core';
import { probeSession, runOperation, type BrowserHost, type ManagedBrowser, type ProbeSelectors } from '@engine/browser';
import type { PoolCredentials } from './pool-key';
import type { PoolSessionFactory, PoolSessionHandle, RefreshVerdict } from './pool-session-factory';

export interface BrowserPoolSession {
  page: Page;
  context: BrowserContext;
}

export interface BrowserPoolSessionsConfig {
  host: BrowserHost;
  /** Logs the page in; must honour the signal. The credentials go no further than this call. */
  login(page: Page, credentials: PoolCredentials, signal: AbortSignal): Promise<void>;
  /** A page only a logged-in user can see: the refresh navigates there. */
  refreshUrl: string;
  selectors: ProbeSelectors;
  /** Per open (login included) and per refresh; default 30 000. */
  timeoutMs?: number;
}

export class BrowserPoolSessions implements PoolSessionFactory<BrowserPoolSession> {
  private browser: Promise<ManagedBrowser> | null = null;
  private readonly timeoutMs: number;

  constructor(private readonly config: BrowserPoolSessionsConfig) {
    this.timeoutMs = config.timeoutMs ?? 30_000;
  }

  open(credentials: PoolCredentials, signal: AbortSignal): Promise<PoolSessionHandle<BrowserPoolSession>> {
    return runOperation('open pooled session', { signal, timeoutMs: this.timeoutMs }, async (scope) => {
      const browser = await scope.race(this.sharedBrowser(scope.remainingMs()));
      const context = await scope.race(browser.browser.createBrowserContext());
      scope.onFailure(() => context.close());
      const page = await scope.race(context.newPage());
      await scope.race(this.config.login(page, credentials, scope.signal));
      return {
        session: { page, context },
        refresh: (refreshSignal) => this.refresh(page, refreshSignal),
        close: () => context.close(),
      };
    });
  }

  /** Closes the shared browser (every session's context with it). */
  async close(): Promise<void> {
    const browser = this.browser;
    this.browser = null;
    await (await browser?.catch(() => null))?.close();
  }

  private async refresh(page: Page, signal: AbortSignal): Promise<RefreshVerdict> {
    const result = await probeSession(page, this.config.selectors, { url: this.config.refreshUrl, timeoutMs: this.timeoutMs, signal });
    return result.status === 'valid' ? { ok: true } : { ok: false, reason: result.status };
  }

  /** One Chromium for all pooled sessions; relaunched when it is gone. */
  private sharedBrowser(timeoutMs: number): Promise<ManagedBrowser> {
    const current = this.browser;
    if (current) {
      return current.then((browser) => (browser.connected ? browser : this.launch(timeoutMs)));
    }
    return this.launch(timeoutMs);
  }

  private launch(timeoutMs: number): Promise<ManagedBrowser> {
    const launching = this.config.host.launch({ timeoutMs });
    this.browser = launching;
    launching.catch(() => {
      if (this.browser === launching) this.browser = null;
    });
    return launching;
  }
}
