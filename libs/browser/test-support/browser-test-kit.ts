// Shared set-up for browser integration tests: one temp root per test file (profiles, clones,
// artifacts), so the file can prove afterwards that nothing under it is left running or on disk.
// `<root>/data` is the persistent data dir (master profiles) and is expected to remain.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'puppeteer-core';
import { BrowserHost } from '../src/browser-host';
import type { ManagedBrowser } from '../src/managed-browser';
import { chromiumProcessesUnder, entriesUnder } from './leaks';

export interface BrowserTestKit {
  root: string;
  host: BrowserHost;
  /** Closes every browser of the host and reports leftovers: processes and files under root. */
  teardown(): Promise<{ processes: string[]; files: string[] }>;
}

export async function browserTestKit(closeTimeoutMs = 3000): Promise<BrowserTestKit> {
  const root = await mkdtemp(join(tmpdir(), 'engine-test-'));
  const host = new BrowserHost({ tempDir: root, closeTimeoutMs });
  return {
    root,
    host,
    teardown: async () => {
      await host.closeAll();
      const leftovers = { processes: chromiumProcessesUnder(root), files: entriesUnder(root).filter((name) => name !== 'data') };
      await rm(root, { recursive: true, force: true });
      return leftovers;
    },
  };
}

/** Logs a page into the fixture portal and leaves it on the dashboard. */
export async function loginToFixture(page: Page, url: string): Promise<Page> {
  await page.goto(`${url}/do-login`, { waitUntil: 'domcontentloaded', timeout: 10_000 });
  await page.waitForSelector('#dashboard', { timeout: 10_000 });
  return page;
}

export async function firstPage(browser: ManagedBrowser): Promise<Page> {
  return (await browser.browser.pages())[0] ?? (await browser.browser.newPage());
}

export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
