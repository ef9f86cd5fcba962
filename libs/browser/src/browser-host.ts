// Launches system Chromium through puppeteer-core, or attaches to a remote browser endpoint
// (Browserless, a Chrome fleet), and hands out ManagedBrowsers that close cleanly.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import puppeteer from 'puppeteer-core';
import { CHROMIUM_FLAGS } from './chromium-flags';
import { findChromium } from './chromium-path';
import { BrowserLaunchError } from './errors';
import { ManagedBrowser } from './managed-browser';
import { runOperation, type OperationOptions, type OperationScope } from './operation';

export interface BrowserHostConfig {
  /** Defaults to findChromium(): CHROMIUM_PATH, then the Debian locations. */
  executablePath?: string;
  /** Flags added after CHROMIUM_FLAGS. */
  extraArgs?: readonly string[];
  /** How long a polite close may take before the process group is killed. */
  closeTimeoutMs?: number;
  /** Where temporary profiles go; defaults to the OS temp dir. */
  tempDir?: string;
}

export interface LaunchOptions extends OperationOptions {
  /** A persistent profile (the master session's). Without it the browser gets a temporary one, removed on close. */
  userDataDir?: string;
  /** Remove `userDataDir` once the browser is closed (a throwaway profile copy). */
  removeUserDataDirOnClose?: boolean;
}

export class BrowserHost {
  private readonly config: BrowserHostConfig;
  private readonly live = new Set<ManagedBrowser>();

  constructor(config: BrowserHostConfig = {}) {
    this.config = config;
  }

  /** Browsers launched or attached by this host that have not been closed. */
  browsers(): readonly ManagedBrowser[] {
    return [...this.live];
  }

  launch(options: LaunchOptions): Promise<ManagedBrowser> {
    return runOperation('launch browser', options, async (scope) => {
      const executablePath = this.config.executablePath ?? findChromium();
      const ownsUserDataDir = !options.userDataDir || options.removeUserDataDirOnClose === true;
      const userDataDir = options.userDataDir ?? (await mkdtemp(join(this.config.tempDir ?? tmpdir(), 'engine-chromium-')));
      if (ownsUserDataDir) scope.onFailure(() => rm(userDataDir, { recursive: true, force: true, maxRetries: 3 }));
      let browser;
      try {
        browser = await scope.race(
          puppeteer.launch({
            executablePath,
            userDataDir,
            ignoreDefaultArgs: true,
            args: [...CHROMIUM_FLAGS, ...(this.config.extraArgs ?? [])],
            // The pipe closes the moment the process dies, so a crash is noticed without a timeout.
            pipe: true,
            timeout: scope.remainingMs(),
            handleSIGINT: false,
            handleSIGTERM: false,
            handleSIGHUP: false,
            defaultViewport: { width: 1280, height: 800 },
          }),
        );
      } catch (error) {
        if (scope.signal.aborted) throw error;
        throw new BrowserLaunchError(executablePath, error);
      }
      const managed = new ManagedBrowser({
        browser,
        process: browser.process() ?? undefined,
        userDataDir,
        ownsUserDataDir,
        closeTimeoutMs: this.closeTimeoutMs(),
        onClosed: () => this.live.delete(managed),
      });
      return this.track(managed, scope);
    });
  }

  /** Attaches to a browser that runs elsewhere; closing the result only disconnects from it. */
  connect(browserWSEndpoint: string, options: OperationOptions): Promise<ManagedBrowser> {
    return runOperation('connect to browser', options, async (scope) => {
      const browser = await scope.race(puppeteer.connect({ browserWSEndpoint, defaultViewport: { width: 1280, height: 800 } }));
      const managed = new ManagedBrowser({ browser, closeTimeoutMs: this.closeTimeoutMs(), onClosed: () => this.live.delete(managed) });
      return this.track(managed, scope);
    });
  }

  async closeAll(): Promise<void> {
    await Promise.all([...this.live].map((managed) => managed.close()));
  }

  private track(managed: ManagedBrowser, scope: OperationScope): ManagedBrowser {
    this.live.add(managed);
    scope.onFailure(() => managed.close());
    return managed;
  }

  private closeTimeoutMs(): number {
    return this.config.closeTimeoutMs ?? 5000;
  }
}
