// The session pool with Chromium and the portal simulator: keep-alive really keeps a portal
// session alive past the portal's idle timeout, a leased session is not navigated under its
// holder, an abandoned lease expires on the (simulated) clock and the session serves the next
// caller, and an evicted session's browser context is closed.
import { ActorHost, SimulatedClock, SystemClock, type Clock } from '@engine/core';
import { MemoryEventStore } from '@engine/event-store';
import { POOLED_SESSION_MACHINE } from '@engine/machines';
import { startPortalSim, type PortalSim } from '@engine/portal-sim';
import { probeSession } from '@engine/browser';
import { chromiumKit, type ChromiumKit } from '../../test-support/chromium-kit';
import { loginToPortalSim, SIM_SELECTORS } from '@engine/portal-sim/testing';
import { BrowserPoolSessions, type BrowserPoolSession } from './browser-pool-sessions';
import { LeaseRevokedError } from './pool-errors';
import { poolKey, type PoolCredentials } from './pool-key';
import { SessionPool } from './session-pool';

jest.setTimeout(120_000);

const AGENT: PoolCredentials = { portal: 'sim', username: 'agent', password: 'Secr3t!pass' };
const CLERK: PoolCredentials = { portal: 'sim', username: 'clerk', password: 'Cl3rk!pass' };
const IDLE_TTL_MS = 3_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('SessionPool with Chromium and portal-sim', () => {
  let kit: ChromiumKit;
  let sim: PortalSim;
  let sessions: BrowserPoolSessions;
  let running: { pool: SessionPool<BrowserPoolSession>; host: ActorHost; store: MemoryEventStore } | null = null;

  beforeAll(async () => {
    kit = await chromiumKit();
    sim = await startPortalSim({ testHooks: true, idleTtlMs: IDLE_TTL_MS, users: [AGENT, CLERK].map(({ username, password }) => ({ username, password })) });
    sessions = new BrowserPoolSessions({
      host: kit.host,
      login: (page, credentials, signal) => loginToPortalSim(sim, page, credentials.username, credentials.password, signal),
      refreshUrl: `${sim.url}/Dashboard.aspx`,
      selectors: SIM_SELECTORS,
      timeoutMs: 15_000,
    });
  });

  afterEach(async () => {
    if (!running) return;
    await running.pool.close();
    await running.host.stop(1_000);
    running = null;
  });

  afterAll(async () => {
    await sessions.close();
    await sim.close();
    expect(await kit.teardown()).toEqual([]);
  });

  function startPool(clock: Clock, options: { refreshMs: number; leaseTtlMs?: number; maxSize?: number }) {
    const store = new MemoryEventStore();
    const pool = new SessionPool({ factory: sessions, clock, ...options });
    const host = new ActorHost({ store, clock, definitions: [POOLED_SESSION_MACHINE], effects: pool.effects() });
    running = { pool: pool.attach(host), host, store };
    return running;
  }

  const refreshes = async (store: MemoryEventStore, credentials: PoolCredentials) =>
    (await store.read(`pool-${poolKey(credentials)}`)).filter((e) => e.type === 'REFRESHED').length;

  it('keep-alive keeps the portal session alive past the portal\'s idle timeout; an unrefreshed one expires', async () => {
    const { pool, store } = startPool(new SystemClock(), { refreshMs: 1_000 });
    await pool.withSession(AGENT, async () => undefined);
    const control = await sessions.open(CLERK, new AbortController().signal); // same login, no keep-alive

    // Past the portal's idle timeout, and refreshed at least three times in between: waited for,
    // not slept, so a loaded machine that delays timers does not fail the test.
    const started = Date.now();
    while ((await refreshes(store, AGENT)) < 3 || Date.now() - started < IDLE_TTL_MS + 2_000) {
      if (Date.now() - started > 60_000) break;
      await sleep(250);
    }

    expect(await refreshes(store, AGENT)).toBeGreaterThanOrEqual(3);
    const kept = await pool.withSession(AGENT, ({ page }) => probeSession(page, SIM_SELECTORS, { url: `${sim.url}/Dashboard.aspx`, timeoutMs: 10_000 }));
    expect(kept.status).toBe('valid');
    expect(await control.refresh(new AbortController().signal)).toEqual({ ok: false, reason: 'login-form' });
    await control.close();
  });

  it('does not navigate a leased session under its holder, and refreshes it right after the release', async () => {
    const { pool, store, host } = startPool(new SystemClock(), { refreshMs: 500 });
    await pool.withSession(AGENT, async () => undefined);
    const before = await refreshes(store, AGENT);

    const during = await pool.withSession(AGENT, async ({ page }) => {
      const navigations: string[] = [];
      const onRequest = (request: { isNavigationRequest(): boolean; url(): string }) => {
        if (request.isNavigationRequest()) navigations.push(new URL(request.url()).pathname);
      };
      page.on('request', onRequest);
      const requestsBefore = sim.stats().requests;
      await sleep(2_000); // four refresh intervals
      page.off('request', onRequest);
      const state = (await host.getState(`pool-${poolKey(AGENT)}`))!.state as { context: { refreshDue: boolean } };
      // Counted while still held: once released, the due refresh may run before the next line.
      const requestsAtRelease = sim.stats().requests;
      return { navigations, portalRequests: requestsAtRelease - requestsBefore, refreshDue: state.context.refreshDue, requestsAtRelease };
    });
    const { requestsAtRelease } = during;
    expect({ ...during, requestsAtRelease: undefined }).toEqual({ navigations: [], portalRequests: 0, refreshDue: true, requestsAtRelease: undefined });

    // Waited for (a bound against a hang, not a speed check): a loaded machine delays the refresh.
    const deadline = Date.now() + 60_000;
    while ((await refreshes(store, AGENT)) === before && Date.now() < deadline) await sleep(50);
    expect(await refreshes(store, AGENT)).toBeGreaterThan(before);
    expect(sim.stats().requests).toBeGreaterThan(requestsAtRelease);
  });

  it('an abandoned lease expires when the clock passes its expiry; the session then serves the next caller', async () => {
    const clock = new SimulatedClock(Date.now());
    const { pool, store } = startPool(clock, { refreshMs: 3_600_000, leaseTtlMs: 60_000 });
    const abandoned = await pool.lease(AGENT); // its holder "crashes": never released
    const sessionOfCrashedHolder = abandoned.session;

    await clock.advance(60_000);
    expect(abandoned.signal.reason).toBeInstanceOf(LeaseRevokedError);

    const next = await pool.withSession(AGENT, async (session) => ({
      same: session === sessionOfCrashedHolder,
      probe: (await probeSession(session.page, SIM_SELECTORS, { url: `${sim.url}/Dashboard.aspx`, timeoutMs: 10_000 })).status,
    }));
    expect(next).toEqual({ same: true, probe: 'valid' });
    const types = (await store.read(`pool-${poolKey(AGENT)}`)).map((e) => e.type);
    expect(types).toContain('TIMER.leaseExpiry');
    expect(types.indexOf('REFRESHED')).toBeGreaterThan(types.indexOf('TIMER.leaseExpiry')); // the page was reset after the crash
  });

  it('evicting the least recently used session closes its browser context', async () => {
    const { pool } = startPool(new SystemClock(), { refreshMs: 60_000, maxSize: 1 });
    const first = await pool.withSession(AGENT, async (session) => session);
    await pool.withSession(CLERK, async () => undefined);
    expect(first.page.isClosed()).toBe(true);
    expect(first.context.closed).toBe(true);
    expect(await pool.size()).toBe(1);
  });
});
