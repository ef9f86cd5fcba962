// One root cause for everything that uses a dead master session: the engine with two accounts on
// one portal, the master-session effects faked (no browser) and the heartbeat on a simulated
// clock. Account a's browser dies (the health monitor sees it first): its next keep-alive probe
// is not run but fails with that death's own cause, so the one recovery (and incident) names it;
// the browser's loss reported afterwards joins that recovery instead of starting another; a lease
// request meanwhile is refused and counted under the same incident, which names the account.
// Account b is untouched: no incident of its own.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvalidCommandError, SimulatedClock, type EffectContext, type StateOf } from '@engine/core';
import { MemoryEventStore } from '@engine/event-store';
import { MASTER_SESSION_MACHINE, masterStateName, type MasterSessionDefinition, type MasterSessionEvent, type ProbeSessionParams } from '@engine/machines';
import { FakeEffects } from '@engine/machines/testing';
import { PortalSimAdapter } from '@engine/portals';
import { createEngine, type Engine } from '../engine';
import { guardKeepAlive } from '../health/guard-keep-alive';
import { FakeSession } from '../health/health-test-kit';

const PORTAL = 'portal-sim';
const A = `master-${PORTAL}`;
const B = `master-${PORTAL}.b`;
const HEARTBEAT_MS = 10_000;
const CEILING = { signal: AbortSignal.timeout(60_000) };

describe('a dead master session: keep-alive and leases under its one root cause', () => {
  let dir: string;
  let engine: Engine;
  const clock = new SimulatedClock(Date.UTC(2026, 0, 1));
  const fakes = new FakeEffects(clock);

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'session-outage-'));
    const registry = fakes.registry();
    const fakeProbe = registry.probeSession as { run: (p: ProbeSessionParams, ctx: EffectContext<StateOf<MasterSessionDefinition>>) => Promise<MasterSessionEvent> };
    engine = createEngine({
      store: new MemoryEventStore(),
      dataDir: dir,
      clock,
      portals: [new PortalSimAdapter({ baseUrl: 'http://127.0.0.1:9' })],
      accounts: { [PORTAL]: [{ id: 'a', credentialsRef: 'secret://portal-sim/a' }, { id: 'b', credentialsRef: 'secret://portal-sim/b' }] },
      masterSession: { heartbeatMs: HEARTBEAT_MS },
      leases: { defaultTtlMs: 60_000, maxTtlMs: 120_000 },
      effects: {
        ...registry,
        // The faked page probe under the engine's own guard, as the engine wraps the real one.
        probeSession: { run: (p: ProbeSessionParams, ctx: EffectContext<StateOf<MasterSessionDefinition>>) => guardKeepAlive({ probeSession: fakeProbe }, engine.sessionOperations, clock).probeSession.run(p, ctx) },
      },
    });
    await engine.start();
    for (const stream of [A, B]) await engine.feed.waitFor(stream, (e) => e?.state?.value === 'ready', CEILING);
  });

  afterAll(async () => {
    fakes.open('relogin');
    await engine?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const stateOf = (stream: string) => masterStateName(engine.feed.get(stream)?.state as StateOf<MasterSessionDefinition>);

  it('refuses a lease longer than leases.maxTtlMs with a 400 that starts nothing', async () => {
    await expect(engine.leases.create({ portal: PORTAL, ttlMs: 120_001 }, 'script')).rejects.toMatchObject({ code: 'VALIDATION_FAILED', fields: { ttlMs: expect.stringContaining('leases.maxTtlMs') } });
    expect(engine.leases.list()).toEqual([]);
  });

  it('counts the keep-alive probe and a refused lease under the one incident of the dead account, which names it', async () => {
    const browserA = new FakeSession();
    engine.health.register(A, browserA);
    engine.health.register(B, new FakeSession());
    // Recovery holds at its first re-login, so the incident stays open while the test looks.
    fakes.gate('relogin');
    await clock.advance(1_000);
    browserA.die('browser crashed (pid 4242, SIGKILL)');

    const probesBefore = fakes.count('probeSession');
    await clock.advance(HEARTBEAT_MS - 1_000);
    await engine.feed.waitFor(A, (e) => masterStateName(e?.state as StateOf<MasterSessionDefinition>) === 'recovering', CEILING);
    await engine.feed.waitFor(B, (e) => e?.state?.value === 'ready' && (e.state?.context as { probes: number }).probes >= 1, CEILING);
    // Only b's page was probed: a's probe found its session dead and was not run.
    expect(fakes.count('probeSession') - probesBefore).toBe(1);

    // The browser's loss, as the runtime reports it, joins the recovery the probe started.
    await engine.host.sendTo(MASTER_SESSION_MACHINE, PORTAL, { type: 'BROWSER_LOST', reason: 'browser_crashed', at: new Date(clock.now()).toISOString() });
    await expect(engine.leases.create({ portal: PORTAL }, 'script')).rejects.toBeInstanceOf(InvalidCommandError);
    // Naming the account lends that account's session: a's is the dead one (the same refusal, counted once more) …
    await expect(engine.leases.create({ portal: PORTAL, account: 'a' }, 'script')).rejects.toMatchObject({ stream: A });
    // … b's is another session (ready in the log; with faked effects it has no page to copy, so it is refused by its own name).
    await expect(engine.leases.create({ portal: PORTAL, account: 'b' }, 'script')).rejects.toMatchObject({ stream: B });
    await expect(engine.leases.create({ portal: PORTAL, account: 'zz' }, 'script')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(engine.leases.list()).toEqual([]);

    const incidents = await engine.sessions.incidents();
    expect(incidents).toHaveLength(1);
    expect(incidents[0]).toMatchObject({
      portal: PORTAL,
      session: PORTAL,
      account: 'a',
      state: 'recovering',
      rootCause: { kind: 'heartbeat', reason: 'browser crashed (pid 4242, SIGKILL)' },
      recovery: { number: 1, joinedReports: 1 },
      operations: { waiting: 0, cancelled: 1, refused: 2, byName: { keepAlive: 1, lease: 2 } },
    });
    expect(stateOf(B)).toBe('ready');
    // Nothing of it is a failure of its own: the guarded operations show the one death.
    expect(engine.sessionOperations.summary()).toMatchObject({ failed: 0, rootCauses: [expect.objectContaining({ sessionId: A, cause: 'browser crashed (pid 4242, SIGKILL)' })] });
  });
});
