// Clones the master session into an isolated page that is logged in, by one of two strategies:
// `context` (default): a new BrowserContext in the master's browser or a worker browser, seeded
//   with the master's cookies and the portal origin's storage. Cheap: no process, no disk.
// `profile-copy`: the original approach; copy the master's profile folder, launch a browser on
//   the copy and restore the cookies through CDP, because session cookies (the portal's login
//   cookie among them) are never written to disk and persistent ones may not be flushed yet.
// Every clone's close() closes exactly what the clone opened.
// Most of a cold `context` clone's time is Chromium starting a renderer process for the new
// context, so the cloner keeps warm spares: empty contexts with a blank page, made ahead of
// time (prewarm) and seeded only when taken; a closed clone is replaced by a new spare. They
// hold no session state until taken. Spares are not remade while a clone is starting, so a
// clone's first navigation does not compete with a renderer start-up.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'puppeteer-core';
import { BrowserError } from '@engine/core';
import type { BrowserHost } from './browser-host';
import { ContextCapacityError } from './errors';
import type { ManagedBrowser } from './managed-browser';
import { runOperation, type OperationOptions, type OperationScope } from '@portal-engine/adapter-kit';
import { copyProfile } from './profile-copy';
import { captureSession, restoreCookies, seedStorage } from './session-state';

export type CloneStrategy = 'context' | 'profile-copy';

/** The logged-in master session a clone is taken from. */
export interface SessionSource {
  browser: ManagedBrowser;
  page: Page;
  /** The portal origin whose storage is carried over, e.g. https://portal.example. */
  origin: string;
}

export interface SessionClone {
  readonly strategy: CloneStrategy;
  readonly page: Page;
  /** The browser the clone lives in (the master's or a worker's for `context`, its own for `profile-copy`). */
  readonly browser: ManagedBrowser;
  close(): Promise<void>;
}

export interface CloneOptions extends OperationOptions {
  strategy?: CloneStrategy;
  /** `context` only: the browser to open the context in; defaults to the master's browser. */
  target?: ManagedBrowser;
}

export interface SessionClonerConfig {
  host: BrowserHost;
  /** Most clone contexts one browser may hold at once. */
  maxContextsPerBrowser?: number;
  /** Where profile copies go; defaults to the OS temp dir. */
  tempDir?: string;
  /**
   * Empty contexts kept ready per target browser, made by prewarm() and whenever a clone in that
   * browser closes (default 1, 0 turns it off). They do not count against maxContextsPerBrowser.
   */
  warmSpares?: number;
}

interface Spare {
  context: BrowserContext;
  page: Page;
}

export class SessionCloner {
  private readonly contexts = new Map<ManagedBrowser, number>();
  private readonly spares = new Map<ManagedBrowser, Array<Promise<Spare | undefined>>>();
  private readonly maxContexts: number;
  private readonly warmSpares: number;
  private closed = false;

  constructor(private readonly config: SessionClonerConfig) {
    this.maxContexts = config.maxContextsPerBrowser ?? 10;
    this.warmSpares = config.warmSpares ?? 1;
  }

  /** Makes the warm spares of a browser (the host calls it when the master session is ready). */
  async prewarm(browser: ManagedBrowser): Promise<void> {
    this.refill(browser);
    await this.ready(browser);
  }

  /** Resolves once the warm spares of a browser are made (benchmarks wait for it between samples). */
  async ready(browser: ManagedBrowser): Promise<void> {
    await Promise.all(this.spares.get(browser) ?? []);
  }

  /** Closes the warm spares. Clones already handed out stay open; each has its own close(). */
  async close(): Promise<void> {
    this.closed = true;
    const pending = [...this.spares.values()].flat();
    this.spares.clear();
    await Promise.all(pending.map(async (spare) => (await spare)?.context.close().catch(() => undefined)));
  }

  /** Clone contexts currently open in a browser. */
  contextsIn(browser: ManagedBrowser): number {
    return this.contexts.get(browser) ?? 0;
  }

  clone(source: SessionSource, options: CloneOptions): Promise<SessionClone> {
    const strategy = options.strategy ?? 'context';
    return runOperation(`clone session (${strategy})`, options, (scope) =>
      strategy === 'context' ? this.cloneIntoContext(source, options.target ?? source.browser, scope) : this.cloneProfile(source, scope),
    );
  }

  private async cloneIntoContext(source: SessionSource, target: ManagedBrowser, scope: OperationScope): Promise<SessionClone> {
    const release = this.reserveContext(target);
    scope.onFailure(release);
    const [state, { context, page }] = await Promise.all([captureSession(source.page, source.origin), this.openContext(target, scope)]);
    await restoreCookies(context, state);
    await seedStorage(page, state);
    return {
      strategy: 'context',
      page,
      browser: target,
      close: once(async () => {
        try {
          await context.close();
        } catch (error) {
          // Closing a context of a browser that is already gone has nothing left to close.
          if (target.connected) throw error;
        } finally {
          release();
          this.refill(target);
        }
      }),
    };
  }

  private async openContext(target: ManagedBrowser, scope: OperationScope): Promise<Spare> {
    const spare = (await this.takeSpare(target)) ?? (await makeSpare(target));
    scope.onFailure(() => spare.context.close());
    return spare;
  }

  private async takeSpare(target: ManagedBrowser): Promise<Spare | undefined> {
    const next = this.spares.get(target)?.shift();
    const spare = await next;
    return spare && !spare.page.isClosed() && target.connected ? spare : undefined;
  }

  private refill(target: ManagedBrowser): void {
    if (this.closed || !target.connected || this.warmSpares === 0) return;
    let list = this.spares.get(target);
    if (!list) {
      list = [];
      this.spares.set(target, list);
      target.onDisconnected(() => this.spares.delete(target));
    }
    while (list.length < this.warmSpares) list.push(makeSpare(target).catch(() => undefined));
  }

  private async cloneProfile(source: SessionSource, scope: OperationScope): Promise<SessionClone> {
    const profile = source.browser.userDataDir;
    if (!profile || source.browser.remote) {
      throw new BrowserError('PROFILE_UNAVAILABLE', 'profile-copy needs a master browser launched locally with a profile folder');
    }
    const copy = await mkdtemp(join(this.config.tempDir ?? tmpdir(), 'engine-clone-'));
    const copying = copyProfile(profile, copy);
    // An abort can land mid-copy: remove the folder only once the copy has stopped writing into it.
    scope.onFailure(async () => {
      await copying.catch(() => undefined);
      await rm(copy, { recursive: true, force: true, maxRetries: 3 });
    });
    const [state] = await Promise.all([captureSession(source.page, source.origin), copying]);
    const browser = await this.config.host.launch({
      userDataDir: copy,
      removeUserDataDirOnClose: true,
      // The copy runs as its master does: same flags, proxy, language, time zone.
      settings: source.browser.settings,
      signal: scope.signal,
      timeoutMs: scope.remainingMs(),
    });
    scope.onFailure(() => browser.close());
    await restoreCookies(browser.browser.defaultBrowserContext(), state);
    const page = (await browser.browser.pages())[0] ?? (await browser.browser.newPage());
    await browser.preparePage(page);
    await seedStorage(page, state);
    return { strategy: 'profile-copy', page, browser, close: once(() => browser.close()) };
  }

  private reserveContext(browser: ManagedBrowser): () => void {
    const open = this.contextsIn(browser);
    if (open >= this.maxContexts) throw new ContextCapacityError(this.maxContexts);
    this.contexts.set(browser, open + 1);
    return once(() => {
      const left = this.contextsIn(browser) - 1;
      if (left > 0) this.contexts.set(browser, left);
      else this.contexts.delete(browser);
    });
  }
}

async function makeSpare(target: ManagedBrowser): Promise<Spare> {
  const context = await target.browser.createBrowserContext();
  try {
    const page = await context.newPage();
    await target.preparePage(page);
    return { context, page };
  } catch (error) {
    await context.close().catch(() => undefined);
    throw error;
  }
}

function once<T>(fn: () => T): () => T {
  let result: { value: T } | undefined;
  return () => (result ??= { value: fn() }).value;
}
