// A session lease under the health guard, with Chromium and the portal simulator: while the
// health monitor holds the master browser dead (a hang its pings found, the session still
// `ready` in the log), a lease's copy does not read the master page; it waits, counted under that
// death, and the lease opens once the browser is registered healthy again.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemorySecretProvider } from '@engine/core';
import { MemoryEventStore } from '@engine/event-store';
import { isMasterAvailable } from '@engine/machines';
import { PortalSimAdapter, PortalSimCaptchaSolver } from '@engine/portals';
import { startPortalSim, type PortalSim } from '@engine/portal-sim';
import { createEngine, type Engine } from '../engine';
import { monitoredBrowser } from '../health/browser-session';

jest.setTimeout(240_000);

const PORTAL = 'portal-sim';
const STREAM = `master-${PORTAL}`;
const CEILING_MS = 90_000;

/** Waits until `condition` holds, checking on each turn of the event loop, up to a generous ceiling. */
async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + CEILING_MS;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('a session lease while the master browser is dead', () => {
  let sim: PortalSim;
  let dir: string;
  let engine: Engine;

  beforeAll(async () => {
    sim = await startPortalSim({ testHooks: true, seed: 29 });
    dir = mkdtempSync(join(tmpdir(), 'lease-guard-'));
    engine = createEngine({
      store: new MemoryEventStore(),
      dataDir: dir,
      portals: [new PortalSimAdapter({ baseUrl: sim.url })],
      secrets: new MemorySecretProvider().set('secret://portal-sim/login', { username: 'agent', password: 'Secr3t!pass' }),
      credentials: { [PORTAL]: 'secret://portal-sim/login' },
      captcha: () => new PortalSimCaptchaSolver(sim.url),
      leases: { settleTimeoutMs: CEILING_MS },
    });
    await engine.start();
    await engine.feed.waitFor(STREAM, (entry) => isMasterAvailable(entry?.state ?? undefined), { signal: AbortSignal.timeout(CEILING_MS) });
  });

  afterAll(async () => {
    await engine?.stop();
    await sim?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('waits, counted under the death, and opens once the browser is healthy again', async () => {
    engine.health.reportDead(STREAM, 'heartbeat: TIMEOUT');
    const lease = engine.leases.create({ portal: PORTAL, mode: 'cookies' }, 'script');

    await until(() => engine.sessionOperations.chargedTo(STREAM, null).waiting === 1, 'the copy to wait');
    expect(engine.sessionOperations.chargedTo(STREAM, null)).toEqual({ waiting: 1, cancelled: 0, refused: 0, byName: { lease: 1 } });
    expect(engine.leases.list().map((l) => l.state)).toEqual(['opening']);
    expect(engine.sessionOperations.summary().rootCause).toMatchObject({ sessionId: STREAM, cause: 'heartbeat: TIMEOUT', waiting: 1 });

    const source = engine.masterSessions.source(PORTAL);
    if (!source) throw new Error('the master browser should still be running');
    engine.health.register(STREAM, monitoredBrowser(source.browser));

    const granted = await lease;
    expect(granted.state).toBe('active');
    expect((granted.cookies ?? []).length).toBeGreaterThan(0);
    expect(engine.sessionOperations.chargedTo(STREAM, null)).toMatchObject({ waiting: 0, cancelled: 0 });
    expect(engine.sessionOperations.summary()).toMatchObject({ succeeded: 1, failed: 0 });
  });
});
