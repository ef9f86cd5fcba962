import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { BrowserError } from '@engine/core';
import { BrowserHost } from './browser-host';
import { CHROMIUM_FLAGS } from './chromium-flags';
import { findChromium } from './chromium-path';
import { MemoryUnavailableError } from './errors';
import type { DisconnectInfo } from './managed-browser';
import { processPss } from './process-tree';
import { chromiumProcessesUnder } from '../test-support/leaks';
import { browserTestKit, processAlive, type BrowserTestKit } from '../test-support/browser-test-kit';
import { startFixturePortal, type FixturePortal } from '../test-support/fixture-portal';

// Real Chromium: launches take seconds on a loaded machine (jest's per-project testTimeout is not applied).
jest.setTimeout(240_000);

const NO_HANG_MS = 5000;

describe('BrowserHost (real Chromium)', () => {
  let kit: BrowserTestKit;
  let portal: FixturePortal;

  beforeAll(async () => {
    kit = await browserTestKit(1000);
    portal = await startFixturePortal();
  });

  afterAll(async () => {
    const leftovers = await kit.teardown();
    await portal.close();
    expect(leftovers).toEqual({ processes: [], files: [] });
  });

  it('launches system Chromium headless on the given profile folder and reads its memory as PSS over the whole process tree', async () => {
    const profile = join(kit.root, 'data', 'profile');
    const managed = await kit.host.launch({ userDataDir: profile, timeoutMs: 60_000 });
    try {
      expect(chromiumProcessesUnder(profile).length).toBeGreaterThan(1);
      expect(existsSync(join(profile, 'Local State'))).toBe(true);
      const page = await managed.browser.newPage();
      await page.goto(`${portal.url}/blank`, { waitUntil: 'domcontentloaded' });
      const total = await managed.memory();
      const mainOnly = await processPss(managed.pid as number);
      expect(mainOnly).toBeGreaterThan(0);
      expect(total).toBeGreaterThan(mainOnly);
      expect(await managed.browser.userAgent()).toMatch(/HeadlessChrome/);
    } finally {
      await managed.close();
    }
    expect(existsSync(profile)).toBe(true);
  });

  it('closes gracefully: the owner hears reason "closed", the process exits and the temp profile is removed', async () => {
    const managed = await kit.host.launch({ timeoutMs: 60_000 });
    const events: DisconnectInfo[] = [];
    managed.onDisconnected((info) => events.push(info));
    await managed.close();
    expect(events.map((e) => e.reason)).toEqual(['closed']);
    expect(processAlive(managed.pid as number)).toBe(false);
    expect(existsSync(managed.userDataDir as string)).toBe(false);
    expect(kit.host.browsers()).not.toContain(managed);
  });

  it('turns SIGKILL of Chromium into a "crashed" event and rejects the pending navigation instead of hanging', async () => {
    const managed = await kit.host.launch({ timeoutMs: 60_000 });
    const page = await managed.browser.newPage();
    const navigation = page.goto(`${portal.url}/slow`, { timeout: 0 }).then(
      () => 'resolved',
      () => 'rejected',
    );
    await new Promise((resolve) => setTimeout(resolve, 200));
    const started = Date.now();
    process.kill(managed.pid as number, 'SIGKILL');
    const info = await managed.disconnected;
    expect(info.reason).toBe('crashed');
    expect(info.pid).toBe(managed.pid);
    expect(await navigation).toBe('rejected');
    expect(Date.now() - started).toBeLessThan(NO_HANG_MS);
    expect(managed.connected).toBe(false);
    await expect(managed.memory()).rejects.toBeInstanceOf(MemoryUnavailableError);
    await managed.close();
    expect(existsSync(managed.userDataDir as string)).toBe(false);
  });

  it('kills a browser that does not close politely within the close timeout (process group SIGKILL)', async () => {
    const managed = await kit.host.launch({ timeoutMs: 60_000 });
    const pid = managed.pid as number;
    process.kill(-pid, 'SIGSTOP'); // a frozen browser answers nothing
    await managed.close();
    expect(processAlive(pid)).toBe(false);
    expect((await managed.disconnected).reason).toBe('closed');
  });

  it('fails with a BrowserError when the executable cannot run as Chromium', async () => {
    const host = new BrowserHost({ executablePath: '/bin/false', tempDir: kit.root });
    const attempt = host.launch({ timeoutMs: 60_000 });
    await expect(attempt).rejects.toBeInstanceOf(BrowserError);
    await expect(attempt).rejects.toMatchObject({ code: 'BROWSER_LAUNCH_FAILED' });
  });

  describe('remote browser endpoint', () => {
    let remote: ChildProcess;
    let endpoint: string;

    beforeAll(async () => {
      remote = spawn(
        findChromium(),
        [...CHROMIUM_FLAGS, '--remote-debugging-address=127.0.0.1', '--remote-debugging-port=0', `--user-data-dir=${join(kit.root, 'remote-profile')}`],
        { detached: true, stdio: ['ignore', 'ignore', 'pipe'] },
      );
      endpoint = await new Promise<string>((resolve, reject) => {
        let seen = '';
        remote.stderr?.on('data', (chunk: Buffer) => {
          seen += chunk.toString();
          const match = /DevTools listening on (ws:\/\/\S+)/.exec(seen);
          if (match) resolve(match[1]);
        });
        remote.once('exit', () => reject(new Error('remote Chromium exited before listening')));
      });
    });

    afterAll(async () => {
      const exited = new Promise((resolve) => remote.once('exit', resolve));
      process.kill(-(remote.pid as number), 'SIGKILL');
      await exited;
      // Chromium's crashpad handler (its own session) may still hold the stderr pipe open.
      remote.stderr?.destroy();
      await rm(join(kit.root, 'remote-profile'), { recursive: true, force: true });
    });

    it('attaches through the WebSocket URL, drives a page, and only disconnects on close', async () => {
      const managed = await kit.host.connect(endpoint, { timeoutMs: 60_000 });
      expect(managed.remote).toBe(true);
      const page = await managed.browser.newPage();
      await page.goto(`${portal.url}/blank`, { waitUntil: 'domcontentloaded' });
      expect(await page.$eval('#blank', (el) => el.textContent)).toBe('blank');
      await expect(managed.memory()).rejects.toBeInstanceOf(MemoryUnavailableError);
      await page.close();
      await managed.close();
      expect((await managed.disconnected).reason).toBe('closed');
      expect(processAlive(remote.pid as number)).toBe(true);
    });
  });
});
