import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'puppeteer-core';
import { AbortedError } from '@engine/core';
import { ContextCapacityError } from './errors';
import type { ManagedBrowser } from './managed-browser';
import { ProfileStore } from './profile-store';
import { SessionCloner, type SessionClone, type SessionSource } from './session-cloner';
import { browserTestKit, firstPage, loginToFixture, processAlive, type BrowserTestKit } from '../test-support/browser-test-kit';
import { startFixturePortal, type FixturePortal } from '../test-support/fixture-portal';

// Real Chromium: launches take seconds on a loaded machine (jest's per-project testTimeout is not applied).
jest.setTimeout(240_000);

describe('SessionCloner (real Chromium)', () => {
  let kit: BrowserTestKit;
  let portal: FixturePortal;
  let master: ManagedBrowser;
  let source: SessionSource;
  let clonesDir: string;

  beforeAll(async () => {
    kit = await browserTestKit();
    portal = await startFixturePortal();
    const profiles = new ProfileStore(join(kit.root, 'data'));
    master = await kit.host.launch({ userDataDir: await profiles.profileDir('fixture'), timeoutMs: 60_000 });
    const page = await loginToFixture(await firstPage(master), portal.url);
    source = { browser: master, page, origin: portal.origin };
    clonesDir = kit.root;
  });

  afterAll(async () => {
    const leftovers = await kit.teardown();
    await portal.close();
    expect(leftovers).toEqual({ processes: [], files: [] });
  });

  // No warm spares here, so context counts are exact; the spares have their own test.
  const cloner = () => new SessionCloner({ host: kit.host, tempDir: clonesDir, maxContextsPerBrowser: 2, warmSpares: 0 });

  async function dashboardOf(page: Page) {
    await page.goto(`${portal.url}/dashboard`, { waitUntil: 'domcontentloaded' });
    return {
      path: new URL(page.url()).pathname,
      dashboard: await page.$('#dashboard').then((el) => el !== null),
      localStorage: await page.$eval('#ls', (el) => el.textContent),
      sessionStorage: await page.$eval('#ss', (el) => el.textContent),
    };
  }

  async function withSeededStorage(body: () => Promise<void>) {
    // Values the clone can only have got from the master, not from its own first dashboard visit.
    await source.page.evaluate(() => {
      localStorage.setItem('theme', 'from-master');
      sessionStorage.setItem('tab', 'from-master');
    });
    await body();
  }

  it.each(['context', 'profile-copy'] as const)('a %s clone reaches the dashboard with the master cookies and storage', async (strategy) => {
    await withSeededStorage(async () => {
      const clone = await cloner().clone(source, { strategy, timeoutMs: 60_000 });
      try {
        expect(await dashboardOf(clone.page)).toEqual({ path: '/dashboard', dashboard: true, localStorage: 'from-master', sessionStorage: 'from-master' });
        const sid = (await clone.page.browserContext().cookies()).find((c) => c.name === 'sid');
        expect(sid).toMatchObject({ httpOnly: true, session: true });
      } finally {
        await clone.close();
      }
    });
  });

  it('keeps a prewarmed spare context, hands it out seeded like a cold one, and replaces it when the clone closes', async () => {
    const warm = new SessionCloner({ host: kit.host, tempDir: clonesDir, warmSpares: 1 });
    const before = master.browser.browserContexts().length;
    await warm.prewarm(master);
    const spare = master.browser.browserContexts().at(-1);
    expect(master.browser.browserContexts().length).toBe(before + 1);
    try {
      await withSeededStorage(async () => {
        const clone = await warm.clone(source, { timeoutMs: 60_000 });
        expect(clone.page.browserContext()).toBe(spare);
        expect(master.browser.browserContexts().length).toBe(before + 1);
        expect(await dashboardOf(clone.page)).toEqual({ path: '/dashboard', dashboard: true, localStorage: 'from-master', sessionStorage: 'from-master' });
        await clone.close();
      });
      await warm.ready(master);
      expect(master.browser.browserContexts().length).toBe(before + 1);
      expect(master.browser.browserContexts()).not.toContain(spare);
    } finally {
      await warm.close();
    }
    expect(master.browser.browserContexts().length).toBe(before);
  });

  it('a context clone closes its context and leaves the master untouched', async () => {
    const before = master.browser.browserContexts().length;
    const clone = await cloner().clone(source, { timeoutMs: 60_000 });
    expect(clone.strategy).toBe('context');
    expect(clone.browser).toBe(master);
    expect(master.browser.browserContexts().length).toBe(before + 1);
    await clone.close();
    await clone.close();
    expect(master.browser.browserContexts().length).toBe(before);
    expect((await dashboardOf(source.page)).dashboard).toBe(true);
  });

  it('a context clone can live in a worker browser', async () => {
    const worker = await kit.host.launch({ timeoutMs: 60_000 });
    try {
      const clone = await cloner().clone(source, { target: worker, timeoutMs: 60_000 });
      expect(clone.browser).toBe(worker);
      expect((await dashboardOf(clone.page)).dashboard).toBe(true);
      await clone.close();
      expect(worker.browser.browserContexts()).toHaveLength(1);
    } finally {
      await worker.close();
    }
  });

  it('caps the clone contexts per browser with a clear error, and frees a slot on close', async () => {
    const capped = cloner();
    const open: SessionClone[] = [await capped.clone(source, { timeoutMs: 60_000 }), await capped.clone(source, { timeoutMs: 60_000 })];
    try {
      await expect(capped.clone(source, { timeoutMs: 60_000 })).rejects.toBeInstanceOf(ContextCapacityError);
      expect(capped.contextsIn(master)).toBe(2);
      await open.shift()?.close();
      open.push(await capped.clone(source, { timeoutMs: 60_000 }));
      expect(capped.contextsIn(master)).toBe(2);
    } finally {
      await Promise.all(open.map((clone) => clone.close()));
    }
    expect(capped.contextsIn(master)).toBe(0);
  });

  it('a profile-copy clone removes its browser and its profile copy on close', async () => {
    const clone = await cloner().clone(source, { strategy: 'profile-copy', timeoutMs: 60_000 });
    const copy = clone.browser.userDataDir as string;
    expect(copy.startsWith(clonesDir)).toBe(true);
    expect(readdirSync(copy)).not.toContain('SingletonLockCopied');
    await clone.close();
    expect(processAlive(clone.browser.pid as number)).toBe(false);
    expect(existsSync(copy)).toBe(false);
  });

  it('an aborted profile-copy clone rejects with AbortedError and leaves no browser or folder behind', async () => {
    const controller = new AbortController();
    const before = readdirSync(clonesDir).sort();
    const attempt = cloner().clone(source, { strategy: 'profile-copy', timeoutMs: 60_000, signal: controller.signal });
    setTimeout(() => controller.abort(), 30);
    await expect(attempt).rejects.toBeInstanceOf(AbortedError);
    // The launch that was under way finishes in the background and is closed as soon as it lands.
    await waitFor(() => kit.host.browsers().length === 1 && readdirSync(clonesDir).sort().join() === before.join());
    expect(kit.host.browsers()).toEqual([master]);
  });

  it('clones carry the session as it is: after a server-side kill they land on the login form', async () => {
    const clone = await cloner().clone(source, { timeoutMs: 60_000 });
    try {
      portal.killSessions();
      await clone.page.goto(`${portal.url}/dashboard`, { waitUntil: 'domcontentloaded' });
      expect(new URL(clone.page.url()).pathname).toBe('/login');
    } finally {
      await clone.close();
    }
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
