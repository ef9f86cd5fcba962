// Session leases across a restart, with Chromium, the portal simulator and a SQLite log: the
// leased browsers die with the engine, so after a restart a lease whose ttl is still running ends
// as lost (`engine_restarted`), and one that fell due while the engine was down ends by its
// durable timer as expired; both endings are recorded. Neither the log nor the engine's log
// lines hold the endpoint or a cookie value. The restarted engine's clock is 10 minutes ahead
// (a shifted clock, not a sleep) so one lease's expiry is overdue when it starts.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryLogger, MemorySecretProvider, SystemClock, type Clock, type TimerHandle } from '@engine/core';
import { SqliteEventStore } from '@engine/event-store';
import { isMasterAvailable, SESSION_LEASE_MACHINE } from '@engine/machines';
import { PortalSimAdapter, PortalSimCaptchaSolver } from '@engine/portals';
import { startPortalSim, type PortalSim } from '@engine/portal-sim';
import { createEngine, type Engine } from '../engine';

jest.setTimeout(240_000);

const CEILING_MS = 90_000;
const SHIFT_MS = 10 * 60_000;

/** The system clock, `offsetMs` ahead. */
class ShiftedClock implements Clock {
  private readonly system = new SystemClock();
  constructor(private readonly offsetMs: number) {}
  now(): number {
    return Date.now() + this.offsetMs;
  }
  schedule(atMs: number, fn: () => void): TimerHandle {
    return this.system.schedule(atMs - this.offsetMs, fn);
  }
}

let sim: PortalSim;
let dir: string;

beforeAll(async () => {
  sim = await startPortalSim({ testHooks: true, seed: 23 });
  dir = mkdtempSync(join(tmpdir(), 'leases-restart-'));
});

afterAll(async () => {
  await sim?.close();
  rmSync(dir, { recursive: true, force: true });
});

function engineOn(logger: MemoryLogger, clock?: Clock): Engine {
  return createEngine({
    store: new SqliteEventStore(join(dir, 'events.db')),
    dataDir: join(dir, 'data'),
    portals: [new PortalSimAdapter({ baseUrl: sim.url })],
    secrets: new MemorySecretProvider().set('secret://portal-sim/login', { username: 'agent', password: 'Secr3t!pass' }),
    credentials: { 'portal-sim': 'secret://portal-sim/login' },
    captcha: () => new PortalSimCaptchaSolver(sim.url),
    logger,
    clock,
  });
}

describe('session leases across a restart', () => {
  it('ends a running lease as lost and an overdue one as expired, both recorded, nothing secret logged', async () => {
    const firstLog = new MemoryLogger();
    const first = engineOn(firstLog);
    await first.start();
    await first.feed.waitFor('master-portal-sim', (entry) => isMasterAvailable(entry?.state ?? undefined), { signal: AbortSignal.timeout(CEILING_MS) });
    const running = await first.leases.create({ portal: 'portal-sim', ttlMs: 60 * 60_000 }, 'api');
    const overdue = await first.leases.create({ portal: 'portal-sim', ttlMs: 60_000, mode: 'cookies' }, 'api');
    expect([running.state, overdue.state]).toEqual(['active', 'active']);
    const endpoint = running.devtools?.browserWSEndpoint ?? '';
    expect(endpoint).toMatch(/^ws:\/\/127\.0\.0\.1:/);
    const cookieValues = (overdue.cookies ?? []).map((c) => c.value);
    expect(cookieValues.length).toBeGreaterThan(0);
    await first.stop();

    const secondLog = new MemoryLogger();
    const second = engineOn(secondLog, new ShiftedClock(SHIFT_MS));
    try {
      await second.start();
      const endedAll = [running.leaseId, overdue.leaseId].map((id) =>
        second.feed.waitFor(`${SESSION_LEASE_MACHINE.streamPrefix}${id}`, (entry) => entry?.state?.status === 'done', { signal: AbortSignal.timeout(CEILING_MS) }),
      );
      await Promise.all(endedAll);
      expect(second.leases.get(running.leaseId)).toMatchObject({ state: 'closed', endReason: 'lost', endedBy: 'engine_restarted' });
      expect(second.leases.get(overdue.leaseId)).toMatchObject({ state: 'closed', endReason: 'expired' });
      expect(second.leases.list()).toEqual([]);

      const log = JSON.stringify([...(await second.store.readAll()).filter((e) => e.stream.startsWith('lease-')), firstLog.lines, secondLog.lines]);
      expect(log).toContain('"LEASE_LOST"');
      expect(log).toContain('"TIMER.expiry"');
      expect(log).not.toContain(endpoint.split('/').pop());
      for (const value of cookieValues) expect(log).not.toContain(value);
    } finally {
      await second.stop();
    }
  });
});
