// One browser this engine owns or has attached to. Turns puppeteer's `disconnected` and the
// process's exit into a single event for the owner, reads memory as PSS over the process tree,
// and closes gracefully with a deadline before killing the whole process group.
import type { ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { rm } from 'node:fs/promises';
import type { Browser, Page } from 'puppeteer-core';
import { preparePage, type BrowserSettings } from './browser-settings';
import { MemoryUnavailableError } from './errors';
import { killTree, processTree, treePss, waitUntilGone } from './process-tree';

export type DisconnectReason = 'closed' | 'crashed' | 'detached';

export interface DisconnectInfo {
  reason: DisconnectReason;
  pid?: number;
  exitCode?: number | null;
  signal?: NodeJS.Signals | null;
  at: number;
}

export interface ManagedBrowserInit {
  browser: Browser;
  /** The launched process; absent for a remote browser reached through a WebSocket. */
  process?: ChildProcess;
  userDataDir?: string;
  /** Removed after close: a temporary profile this host created. */
  ownsUserDataDir?: boolean;
  closeTimeoutMs: number;
  /** Called once the browser is fully closed (the host forgets it). */
  onClosed?: () => void;
  /** What it was launched or connected with; clones in it (or copied from it) get the same. */
  settings?: BrowserSettings;
}

export class ManagedBrowser {
  /** Readies a page the engine opens in this browser before it navigates (the proxy's login; a remote browser's user agent, language, time zone). */
  preparePage(page: Page): Promise<void> {
    return preparePage(page, this.settings, this.remote);
  }

  readonly browser: Browser;
  readonly pid: number | undefined;
  readonly userDataDir: string | undefined;
  readonly remote: boolean;
  readonly settings: BrowserSettings;
  /** Settles once, with the first sign that the browser is gone. */
  readonly disconnected: Promise<DisconnectInfo>;

  private readonly events = new EventEmitter();
  private readonly process: ChildProcess | undefined;
  private readonly ownsUserDataDir: boolean;
  private readonly closeTimeoutMs: number;
  private readonly onClosed: (() => void) | undefined;
  private closing = false;
  private info: DisconnectInfo | undefined;
  private closed: Promise<void> | undefined;

  constructor(init: ManagedBrowserInit) {
    this.browser = init.browser;
    this.process = init.process;
    this.pid = init.process?.pid;
    this.remote = !init.process;
    this.settings = init.settings ?? {};
    this.userDataDir = init.userDataDir;
    this.ownsUserDataDir = init.ownsUserDataDir ?? false;
    this.closeTimeoutMs = init.closeTimeoutMs;
    this.onClosed = init.onClosed;
    this.disconnected = new Promise((resolve) => this.events.once('disconnected', resolve));
    // Two sources because either can come first: the pipe closing or the kernel reaping the process.
    this.browser.once('disconnected', () => this.report({}));
    this.process?.once('exit', (exitCode, signal) => this.report({ exitCode, signal }));
  }

  get connected(): boolean {
    return !this.info && this.browser.connected;
  }

  /** Subscribes to the disconnect event; returns the unsubscribe function. Late subscribers still hear it. */
  onDisconnected(listener: (info: DisconnectInfo) => void): () => void {
    if (this.info) {
      const info = this.info;
      queueMicrotask(() => listener(info));
      return () => undefined;
    }
    this.events.on('disconnected', listener);
    return () => this.events.off('disconnected', listener);
  }

  /** PSS in bytes summed over the browser process and all its children (renderers, GPU, zygote). */
  async memory(): Promise<number> {
    if (this.pid === undefined) throw new MemoryUnavailableError('remote browser');
    if (this.info) throw new MemoryUnavailableError('browser is gone');
    return treePss(this.pid);
  }

  /**
   * Closes the browser: a polite `Browser.close`, bounded by the close timeout, then SIGKILL for
   * the process group and every process of the tree. A remote browser is only disconnected from.
   */
  close(): Promise<void> {
    this.closed ??= this.shutdown().finally(() => this.onClosed?.());
    return this.closed;
  }

  private async shutdown(): Promise<void> {
    this.closing = true;
    if (this.remote) {
      await this.browser.disconnect().catch(() => undefined);
      return;
    }
    const pid = this.pid as number;
    const pids = await processTree(pid);
    const exited = this.exited();
    if (!this.info) {
      const polite = this.browser.close().catch(() => undefined);
      await Promise.race([polite, exited, delay(this.closeTimeoutMs)]);
    }
    killTree(pid, pids);
    await Promise.race([exited, delay(this.closeTimeoutMs)]);
    await waitUntilGone(pids, this.closeTimeoutMs);
    if (this.ownsUserDataDir && this.userDataDir) {
      await rm(this.userDataDir, { recursive: true, force: true, maxRetries: 3 });
    }
  }

  private exited(): Promise<void> {
    const child = this.process;
    if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
    return new Promise((resolve) => child.once('exit', () => resolve()));
  }

  private report(exit: { exitCode?: number | null; signal?: NodeJS.Signals | null }): void {
    if (this.info) return;
    const reason: DisconnectReason = this.closing ? 'closed' : this.remote ? 'detached' : 'crashed';
    this.info = { reason, pid: this.pid, at: Date.now(), ...exit };
    this.events.emit('disconnected', this.info);
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
