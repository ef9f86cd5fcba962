// The health guard over what else uses a master session: a keep-alive probe of a dead session is
// not run and answers PROBE_FAILED with the death's own cause (one root cause, not a probe error
// of its own), one that dies under the probe does the same; other operations wait while the
// session is dead and run once it is back; refusals and cancellations are charged to the outage
// they fall in. Simulated clock, fake sessions: no browser.
import { SimulatedClock, silentLogger, type EffectContext, type StateOf } from '@engine/core';
import type { MasterSessionDefinition, MasterSessionEvent, ProbeSessionParams } from '@engine/machines';
import { guardKeepAlive, KEEP_ALIVE_OPERATION } from './guard-keep-alive';
import { HealthMonitor } from './health-monitor';
import { FakeSession, work, type WorkLog } from './health-test-kit';
import { SessionOperations } from './session-operations';

const STREAM = 'master-portal-a';
const T0 = Date.UTC(2026, 0, 1);

function setup() {
  const clock = new SimulatedClock(T0);
  const monitor = new HealthMonitor({ clock, logger: silentLogger, heartbeatMs: 60_000 });
  const operations = new SessionOperations(monitor, clock);
  return { clock, monitor, operations };
}

/** A probe effect that takes `ms` of simulated time and answers PROBE_OK, counting its runs. */
function probeEffect(clock: SimulatedClock, ms: number, log: WorkLog) {
  const runs: number[] = [];
  const handlers = {
    probeSession: {
      run: async (p: ProbeSessionParams, ctx: EffectContext<StateOf<MasterSessionDefinition>>): Promise<MasterSessionEvent> => {
        runs.push(p.probe);
        await work(clock, 'probe', ms, log)(ctx.signal);
        return { type: 'PROBE_OK', probe: p.probe, at: new Date(clock.now()).toISOString() };
      },
    },
  };
  return { handlers, runs };
}

function ctx(signal = new AbortController().signal): EffectContext<StateOf<MasterSessionDefinition>> {
  return { stream: STREAM, effectId: `${STREAM}:9:0`, signal, state: {} as StateOf<MasterSessionDefinition>, send: (async () => undefined) as never, ensureOwned: async () => undefined } as unknown as EffectContext<StateOf<MasterSessionDefinition>>;
}

const params = (probe: number): ProbeSessionParams => ({ portal: 'portal-a', probe }) as ProbeSessionParams;

describe('the keep-alive probe under the health guard', () => {
  it('on a session known dead: not run, PROBE_FAILED with the death\'s cause, counted as cancelled under that death', async () => {
    const { clock, monitor, operations } = setup();
    const session = new FakeSession();
    monitor.register(STREAM, session);
    session.die('browser crashed (pid 4242, SIGKILL)');
    const log: WorkLog = { aborted: [] };
    const { handlers, runs } = probeEffect(clock, 1_000, log);

    const outcome = await guardKeepAlive(handlers, operations, clock).probeSession.run(params(3), ctx());

    expect(outcome).toEqual({ type: 'PROBE_FAILED', probe: 3, at: new Date(T0).toISOString(), reason: 'browser crashed (pid 4242, SIGKILL)' });
    expect(runs).toEqual([]);
    expect(operations.chargedTo(STREAM, null)).toEqual({ waiting: 0, cancelled: 1, refused: 0, byName: { [KEEP_ALIVE_OPERATION]: 1 } });
    const summary = operations.summary();
    expect(summary.rootCauses).toHaveLength(1);
    expect(summary.rootCause).toMatchObject({ sessionId: STREAM, cause: 'browser crashed (pid 4242, SIGKILL)', cancelled: 1 });
    expect(summary.failed).toBe(0);
  });

  it('when the session dies under it: the probe is aborted and answers PROBE_FAILED with the death\'s cause, not a failure of its own', async () => {
    const { clock, monitor, operations } = setup();
    const session = new FakeSession();
    monitor.register(STREAM, session);
    const log: WorkLog = { aborted: [] };
    const { handlers, runs } = probeEffect(clock, 10_000, log);

    const outcome = guardKeepAlive(handlers, operations, clock).probeSession.run(params(1), ctx());
    await clock.advance(1_000);
    session.die('browser crashed (pid 7)');

    await expect(outcome).resolves.toMatchObject({ type: 'PROBE_FAILED', probe: 1, reason: 'browser crashed (pid 7)' });
    expect(runs).toEqual([1]);
    expect(log.aborted).toEqual(['probe']);
    expect(operations.summary()).toMatchObject({ cancelled: 1, failed: 0, rootCauses: [expect.objectContaining({ cause: 'browser crashed (pid 7)' })] });
  });

  it('on a healthy session, and on one that never had a browser: runs the probe and answers its outcome; nothing is charged', async () => {
    const { clock, monitor, operations } = setup();
    monitor.register(STREAM, new FakeSession());
    const log: WorkLog = { aborted: [] };
    const { handlers, runs } = probeEffect(clock, 1_000, log);
    const guarded = guardKeepAlive(handlers, operations, clock);

    const healthy = guarded.probeSession.run(params(1), ctx());
    await clock.advance(1_000);
    await expect(healthy).resolves.toMatchObject({ type: 'PROBE_OK', probe: 1 });

    const unknown = guarded.probeSession.run(params(2), { ...ctx(), stream: 'master-portal-b' });
    await clock.advance(1_000);
    await expect(unknown).resolves.toMatchObject({ type: 'PROBE_OK', probe: 2 });

    expect(runs).toEqual([1, 2]);
    expect(operations.chargedTo(STREAM, null)).toEqual({ waiting: 0, cancelled: 0, refused: 0, byName: {} });
  });
});

describe('SessionOperations', () => {
  it('holds an operation while its session is dead (charged as waiting) and runs it once the session is registered again', async () => {
    const { clock, monitor, operations } = setup();
    const session = new FakeSession();
    monitor.register(STREAM, session);
    session.die('browser crashed');
    const log: WorkLog = { aborted: [] };

    const lease = operations.run(STREAM, 'lease', work(clock, 'copy', 500, log), { signal: new AbortController().signal });
    expect(operations.chargedTo(STREAM, null)).toMatchObject({ waiting: 1, byName: { lease: 1 } });

    monitor.register(STREAM, new FakeSession());
    // The woken operation starts its work (and its simulated timer) on the next turns of the event loop.
    await new Promise((resolve) => setImmediate(resolve));
    expect(operations.chargedTo(STREAM, null)).toMatchObject({ waiting: 0 });
    await clock.advance(500);
    await expect(lease).resolves.toBe('copy');
    expect(operations.chargedTo(STREAM, null)).toMatchObject({ waiting: 0, cancelled: 0 });
  });

  it('charges refusals and deaths to the outage they fall in: after the time the session was last available, not before', async () => {
    const { clock, monitor, operations } = setup();
    const session = new FakeSession();
    monitor.register(STREAM, session);
    const probe = (n: number) => guardKeepAlive(probeEffect(clock, 10, { aborted: [] }).handlers, operations, clock).probeSession.run(params(n), ctx());

    session.die('old crash');
    await probe(1);
    operations.refused(STREAM, 'lease');
    await clock.advance(60_000);
    const lastAvailable = new Date(clock.now()).toISOString();
    monitor.register(STREAM, new FakeSession());
    await clock.advance(1_000);
    monitor.reportDead(STREAM, 'heartbeat: TIMEOUT');
    await probe(2);
    operations.refused(STREAM, 'lease');
    operations.refused('master-portal-b', 'lease');

    expect(operations.chargedTo(STREAM, lastAvailable)).toEqual({ waiting: 0, cancelled: 1, refused: 1, byName: { keepAlive: 1, lease: 1 } });
    expect(operations.chargedTo(STREAM, null)).toEqual({ waiting: 0, cancelled: 2, refused: 2, byName: { keepAlive: 2, lease: 2 } });
  });
});
