// A graceful stop with Chromium and the portal simulator: the master browser closes because the
// engine stops, which is no session death, so nothing is logged at error level (it used to log
// "session dead … master browser closed for recovery").
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryLogger, MemorySecretProvider } from '@engine/core';
import { MemoryEventStore } from '@engine/event-store';
import { MASTER_SESSION_MACHINE } from '@engine/machines';
import { PortalSimAdapter, PortalSimCaptchaSolver } from '@engine/portals';
import { startPortalSim, type PortalSim } from '@engine/portal-sim';
import { createEngine } from './engine';

jest.setTimeout(180_000);

describe('engine stop', () => {
  let sim: PortalSim;
  let dir: string;

  beforeAll(async () => {
    sim = await startPortalSim({ testHooks: true, seed: 5 });
    dir = mkdtempSync(join(tmpdir(), 'engine-stop-'));
  });

  afterAll(async () => {
    await sim?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('closes a ready master session without reporting its death at error level', async () => {
    const logger = new MemoryLogger();
    const engine = createEngine({
      store: new MemoryEventStore(),
      dataDir: dir,
      portals: [new PortalSimAdapter({ baseUrl: sim.url })],
      secrets: new MemorySecretProvider().set('secret://portal-sim/login', { username: 'agent', password: 'Secr3t!pass' }),
      credentials: { 'portal-sim': 'secret://portal-sim/login' },
      captcha: () => new PortalSimCaptchaSolver(sim.url),
      logger,
    });
    await engine.start();
    try {
      await engine.feed.waitFor('master-portal-sim', (entry) => entry?.state?.value === 'ready', { signal: AbortSignal.timeout(120_000) });
      expect(engine.health.health('master-portal-sim').status).toBe('healthy');
    } finally {
      await engine.stop();
    }
    expect(engine.feed.getOf(MASTER_SESSION_MACHINE, 'portal-sim')?.state.value).toBe('ready');
    expect(logger.lines.filter((l) => l.level === 'error')).toEqual([]);
    expect(logger.lines).toContainEqual({ level: 'info', message: 'health monitor closed', fields: { cause: 'engine stopping', sessions: 1 } });
    expect(engine.health.health('master-portal-sim')).toMatchObject({ status: 'dead', death: { cause: 'engine stopping' } });
  });
});
