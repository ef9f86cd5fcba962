// Proves that whatever way a browser ends, nothing of it outlives the test: no Chromium process
// (by process group and by profile path) and no temporary profile folder.
import { readdirSync } from 'node:fs';
import { AbortedError } from '@engine/core';
import type { ManagedBrowser } from './managed-browser';
import { SessionCloner } from './session-cloner';
import { browserTestKit, firstPage, loginToFixture, processAlive, type BrowserTestKit } from '../test-support/browser-test-kit';
import { chromiumProcessesUnder, liveProcessesInGroup } from '../test-support/leaks';
import { startFixturePortal, type FixturePortal } from '../test-support/fixture-portal';

// Real Chromium: launches take seconds on a loaded machine (jest's per-project testTimeout is not applied).
jest.setTimeout(240_000);

async function settled(condition: () => boolean, timeoutMs = 60_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!condition() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
  return condition();
}

describe('no Chromium left behind', () => {
  let kit: BrowserTestKit;
  let portal: FixturePortal;
  const launched: ManagedBrowser[] = [];

  beforeAll(async () => {
    kit = await browserTestKit(1000);
    portal = await startFixturePortal();
  });

  afterAll(async () => {
    await portal.close();
    await kit.teardown();
  });

  it('after a graceful close, a crash, an aborted launch and clones of both kinds, no process and no folder remain', async () => {
    const graceful = await kit.host.launch({ timeoutMs: 60_000 });
    launched.push(graceful);
    await (await graceful.browser.newPage()).goto(`${portal.url}/blank`);
    await graceful.close();

    const crashed = await kit.host.launch({ timeoutMs: 60_000 });
    launched.push(crashed);
    process.kill(crashed.pid as number, 'SIGKILL');
    await crashed.disconnected;
    await crashed.close();

    const controller = new AbortController();
    const aborted = kit.host.launch({ timeoutMs: 60_000, signal: controller.signal });
    setTimeout(() => controller.abort(), 100);
    await expect(aborted).rejects.toBeInstanceOf(AbortedError);

    const master = await kit.host.launch({ timeoutMs: 60_000 });
    launched.push(master);
    const page = await loginToFixture(await firstPage(master), portal.url);
    const cloner = new SessionCloner({ host: kit.host, tempDir: kit.root });
    const source = { browser: master, page, origin: portal.origin };
    const clone = await cloner.clone(source, { strategy: 'profile-copy', timeoutMs: 60_000 });
    launched.push(clone.browser);
    const contextClone = await cloner.clone(source, { timeoutMs: 60_000 });
    await Promise.all([clone.close(), contextClone.close(), cloner.close()]);
    await master.close();

    expect(await settled(() => kit.host.browsers().length === 0 && readdirSync(kit.root).length === 0)).toBe(true);
    for (const browser of launched) {
      expect(processAlive(browser.pid as number)).toBe(false);
      expect(liveProcessesInGroup(browser.pid as number)).toEqual([]);
    }
    expect(chromiumProcessesUnder(kit.root)).toEqual([]);
    expect(readdirSync(kit.root)).toEqual([]);
  });
});
