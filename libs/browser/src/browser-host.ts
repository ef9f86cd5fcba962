// Launches system Chromium through puppeteer-core, or attaches to a remote browser endpoint
// (Browserless, a Chrome fleet), and hands out ManagedBrowsers that close cleanly.
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import puppeteer, { type Browser } from 'puppeteer-core';
import { DEFAULT_VIEWPORT, settingsArgs, settingsEnv, type BrowserSettings } from './browser-settings';
import { CHROMIUM_FLAGS } from './chromium-flags';
import { findChromium } from './chromium-path';
import { BrowserLaunchError } from './errors';
import { ManagedBrowser } from './managed-browser';
import { runOperation, type OperationOptions } from '@portal-engine/adapter-kit';

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
  /** The portal's browser settings (flags, proxy, window, user agent, language, time zone, downloads). */
  settings?: BrowserSettings;
  /**
   * Also listen for DevTools clients on 127.0.0.1 at a port the OS picks (read it with
   * devtoolsEndpoint): a browser lent to a script outside the engine. The engine itself still
   * drives it through the pipe.
   */
  loopbackDevtools?: boolean;
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
      const settings = options.settings ?? {};
      const launching = puppeteer
        .launch({
          executablePath,
          ignoreDefaultArgs: true,
          // With ignoreDefaultArgs puppeteer drops its own --user-data-dir and would use a temp
          // profile of its own: the flag must be passed here, or the master profile is never used.
          args: [
            ...CHROMIUM_FLAGS,
            ...(this.config.extraArgs ?? []),
            ...settingsArgs(settings),
            `--user-data-dir=${userDataDir}`,
            // Puppeteer adds the pipe flag only when no --remote-debugging-* flag is given.
            ...(options.loopbackDevtools ? ['--remote-debugging-pipe', '--remote-debugging-address=127.0.0.1', '--remote-debugging-port=0'] : []),
          ],
          env: settingsEnv(settings),
          // The pipe closes the moment the process dies, so a crash is noticed without a timeout.
          pipe: true,
          timeout: scope.remainingMs(),
          handleSIGINT: false,
          handleSIGTERM: false,
          handleSIGHUP: false,
          defaultViewport: settings.viewport ?? DEFAULT_VIEWPORT,
        })
        .then(async (browser) => {
          if (settings.downloadDir) await allowDownloads(browser, settings.downloadDir);
          const managed: ManagedBrowser = new ManagedBrowser({
            browser,
            process: browser.process() ?? undefined,
            userDataDir,
            ownsUserDataDir,
            closeTimeoutMs: this.closeTimeoutMs(),
            onClosed: () => this.live.delete(managed),
            settings,
          });
          this.live.add(managed);
          return managed;
        });
      launching.catch(() => undefined);
      // An abort does not stop Chromium from starting (and recreating its profile folder), so the
      // cleanup waits in the background for the launch to land, then closes and removes it.
      scope.onFailure(() => {
        void launching
          .then(
            (managed) => managed.close(),
            () => (ownsUserDataDir ? rm(userDataDir, { recursive: true, force: true, maxRetries: 3 }) : undefined),
          )
          .catch(() => undefined);
      });
      try {
        return await launching;
      } catch (error) {
        throw new BrowserLaunchError(executablePath, error);
      }
    });
  }

  /** Attaches to a browser that runs elsewhere; closing the result only disconnects from it. */
  connect(browserWSEndpoint: string, options: OperationOptions & { settings?: BrowserSettings }): Promise<ManagedBrowser> {
    return runOperation('connect to browser', options, async (scope) => {
      const settings = options.settings ?? {};
      const browser = await scope.race(puppeteer.connect({ browserWSEndpoint, defaultViewport: settings.viewport ?? DEFAULT_VIEWPORT }));
      const managed: ManagedBrowser = new ManagedBrowser({ browser, closeTimeoutMs: this.closeTimeoutMs(), onClosed: () => this.live.delete(managed), settings });
      this.live.add(managed);
      scope.onFailure(() => managed.close());
      return managed;
    });
  }

  async closeAll(): Promise<void> {
    await Promise.all([...this.live].map((managed) => managed.close()));
  }

  private closeTimeoutMs(): number {
    return this.config.closeTimeoutMs ?? 5000;
  }
}

/** Files the portal sends for download are saved in the folder instead of being refused (headless default). */
async function allowDownloads(browser: Browser, downloadPath: string): Promise<void> {
  await mkdir(downloadPath, { recursive: true });
  // The behaviour lasts as long as the session that set it: the session stays attached for the browser's life.
  const session = await browser.target().createCDPSession();
  await session.send('Browser.setDownloadBehavior', { behavior: 'allow', downloadPath, eventsEnabled: false });
}
