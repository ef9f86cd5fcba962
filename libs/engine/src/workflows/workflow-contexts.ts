// The browser side of workflow sessions: one shared worker browser, launched on first use, and
// one incognito-like BrowserContext per workflow (own cookies, own storage, own cache), with
// its downloads going to that workflow's folder. If the worker browser dies on its own, every
// context in it is gone: the owner hears which workflows lost theirs.
import type { BrowserContext, Page } from 'puppeteer-core';
import { BrowserError } from '@engine/core';
import { runOperation, type BrowserHost, type ManagedBrowser } from '@engine/browser';

export interface WorkflowContextsOptions {
  browsers: BrowserHost;
  launchTimeoutMs: number;
  contextTimeoutMs: number;
  /** Called once per crash of the worker browser, with the workflows whose contexts died in it. */
  onLost: (sids: string[]) => void;
}

interface LiveContext {
  context: BrowserContext;
  page: Page | undefined;
}

export class WorkflowContexts {
  private worker: Promise<ManagedBrowser> | undefined;
  private readonly live = new Map<string, LiveContext>();
  private closing = false;
  /** The shared browser is nobody's alone: its launch is aborted by shutdown, not by the effect that happened to start it. */
  private readonly shutdown = new AbortController();

  constructor(private readonly options: WorkflowContextsOptions) {}

  /** Opens a fresh context for `sid`, closing the one it had (an interrupted open run again). */
  async open(sid: string, downloadPath: string, signal: AbortSignal): Promise<void> {
    await this.close(sid);
    const browser = await this.browser();
    const context = await runOperation('open workflow context', { signal, timeoutMs: this.options.contextTimeoutMs }, async (scope) => {
      const created = await scope.race(browser.browser.createBrowserContext({ downloadBehavior: { policy: 'allow', downloadPath } }));
      scope.onFailure(() => created.close());
      return created;
    });
    this.live.set(sid, { context, page: undefined });
  }

  /** Closes `sid`'s context; nothing to close is fine (it died with its browser, or was never opened). */
  async close(sid: string): Promise<void> {
    const entry = this.live.get(sid);
    if (!entry) return;
    this.live.delete(sid);
    // A hung browser must not hold the workflow's lock forever; a context left behind dies with it.
    await runOperation('close workflow context', { timeoutMs: this.options.contextTimeoutMs }, (scope) => scope.race(entry.context.close())).catch(() => undefined);
  }

  has(sid: string): boolean {
    return this.live.has(sid);
  }

  /** The workflow's page, created in its own context on first use. */
  async page(sid: string): Promise<Page> {
    const entry = this.live.get(sid);
    if (!entry) throw new BrowserError('NO_CONTEXT', `workflow ${sid} has no open browser context`);
    if (!entry.page || entry.page.isClosed()) {
      entry.page = await runOperation('open workflow page', { timeoutMs: this.options.contextTimeoutMs }, async (scope) => {
        const page = await scope.race(entry.context.newPage());
        scope.onFailure(() => page.close());
        return page;
      });
    }
    return entry.page;
  }

  /** Closes every context and the worker browser; what disconnects now is not a crash. */
  async closeAll(): Promise<void> {
    this.closing = true;
    this.shutdown.abort(new BrowserError('WORKFLOWS_CLOSED', 'workflow sessions are shutting down'));
    const worker = this.worker;
    this.worker = undefined;
    await Promise.all([...this.live.keys()].map((sid) => this.close(sid)));
    const browser = await worker?.catch(() => undefined);
    await browser?.close();
  }

  private browser(): Promise<ManagedBrowser> {
    if (this.closing) return Promise.reject(new BrowserError('WORKFLOWS_CLOSED', 'workflow sessions are shutting down'));
    const worker = (this.worker ??= this.launch());
    // Only the promise we looked at is forgotten: a launch another caller started meanwhile stays.
    const forget = () => {
      if (this.worker === worker) this.worker = undefined;
    };
    return worker.then(
      (browser) => {
        if (browser.connected) return browser;
        forget(); // gone between the crash and its report: launch a new one
        return this.browser();
      },
      (error: unknown) => {
        forget(); // the next open tries again
        throw error;
      },
    );
  }

  private async launch(): Promise<ManagedBrowser> {
    const browser = await this.options.browsers.launch({ signal: this.shutdown.signal, timeoutMs: this.options.launchTimeoutMs });
    browser.onDisconnected(() => {
      if (this.closing) return;
      const lost = [...this.live.keys()];
      this.live.clear();
      if (lost.length > 0) this.options.onLost(lost);
    });
    return browser;
  }
}
