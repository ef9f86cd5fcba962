// The health monitor with fake sessions on the simulated clock: a session that dies mid-batch
// yields one root cause and consistent counts; in-flight operations are aborted through their
// signal; later ones wait with the reason until the session is healthy again or cancelled.
import { AbortedError, MemoryLogger, NotFoundError, SequentialIdGenerator, SimulatedClock } from '@engine/core';
import { HealthMonitor } from './health-monitor';
import { FakeSession, work, type WorkLog } from './health-test-kit';
import { OperationCancelledError } from './operation-cancelled-error';

const SEC = 1_000;

describe('HealthMonitor', () => {
  let clock: SimulatedClock;
  let logger: MemoryLogger;
  let monitor: HealthMonitor;
  let session: FakeSession;
  let log: WorkLog;

  beforeEach(() => {
    clock = new SimulatedClock();
    logger = new MemoryLogger();
    monitor = new HealthMonitor({ clock, logger, ids: new SequentialIdGenerator(), heartbeatMs: 30 * SEC, probeTimeoutMs: 5 * SEC, maxMisses: 2 });
    session = new FakeSession();
    monitor.register('s1', session);
    log = { aborted: [] };
  });

  afterEach(() => monitor.close());

  it('100 operations, session dies mid-batch: one root cause, consistent counts, in-flight ones aborted via their signal', async () => {
    const batch = monitor.batch();
    const outcomes: Promise<unknown>[] = [];
    const submit = (i: number) => {
      const name = `op-${i}`;
      const fails = i % 15 === 14; // the portal refuses some forms: their own failures
      outcomes.push(batch.run('s1', name, work(clock, name, (i + 1) * SEC, log, fails ? 'fail' : 'ok')).catch((e: unknown) => e));
    };
    for (let i = 0; i < 60; i++) submit(i);
    await clock.advance(30.5 * SEC); // ops 0..29 are done, 30..59 in flight

    session.die('browser crashed (pid 4242, SIGKILL)');
    for (let i = 60; i < 100; i++) submit(i); // arrive after the death: must not start
    const summary = await batch.settled();

    expect(summary).toMatchObject({ total: 100, succeeded: 28, failed: 2, cancelled: 30, waiting: 40, running: 0, cancelledByCaller: 0 });
    expect(summary.total).toBe(summary.succeeded + summary.failed + summary.cancelled + summary.waiting);
    expect(summary.failures).toEqual({ FORM_REJECTED: 2 });
    expect(summary.rootCauses).toHaveLength(1);
    expect(summary.rootCause).toMatchObject({ sessionId: 's1', cause: 'browser crashed (pid 4242, SIGKILL)', cancelled: 30, waiting: 40 });
    expect(summary.rootCause?.reason).toBe('session s1 dead: browser crashed (pid 4242, SIGKILL)');

    expect(log.aborted.sort()).toEqual(Array.from({ length: 30 }, (_, k) => `op-${k + 30}`).sort());
    const waiting = batch.records.filter((r) => r.status === 'waiting');
    expect(new Set(waiting.map((r) => r.waiting?.reason))).toEqual(new Set(['session s1 dead: browser crashed (pid 4242, SIGKILL)']));
    const cancelled = (await Promise.all(outcomes.slice(30, 60))) as OperationCancelledError[];
    expect(cancelled.every((e) => e instanceof OperationCancelledError && e.rootCause.cause === summary.rootCause?.cause)).toBe(true);
    // One log line for the death, none per cancelled operation.
    expect(logger.lines.filter((l) => l.level === 'error')).toEqual([{ level: 'error', message: 'session dead', fields: { sessionId: 's1', cause: 'browser crashed (pid 4242, SIGKILL)', cancelled: 30 } }]);

    // Nothing waiting starts while the session stays dead, however long.
    await clock.advance(10 * 60 * SEC);
    expect(batch.summary()).toMatchObject({ waiting: 40, running: 0, succeeded: 28 });
  });

  it('a heartbeat that misses twice kills the session; a good probe later lets the waiting operations run', async () => {
    session.verdict = { ok: false, reason: 'login-form' };
    await clock.advance(30 * SEC);
    expect(monitor.health('s1').status).toBe('healthy'); // one miss
    await clock.advance(30 * SEC);
    expect(monitor.health('s1')).toEqual({ status: 'dead', death: { sessionId: 's1', cause: 'heartbeat: login-form', at: expect.any(String) } });

    const batch = monitor.batch();
    const results = Promise.all([1, 2, 3].map((i) => batch.run('s1', `op-${i}`, work(clock, `op-${i}`, SEC, log))));
    expect(batch.summary()).toMatchObject({ total: 3, waiting: 3 });
    expect(batch.records[0].waiting).toEqual({ reason: 'session s1 dead: heartbeat: login-form' });

    session.verdict = { ok: true };
    await clock.advance(30 * SEC); // next probe succeeds
    expect(monitor.health('s1').status).toBe('healthy');
    await clock.advance(0);
    await clock.advance(SEC);
    expect(await results).toEqual(['op-1', 'op-2', 'op-3']);
    expect(batch.summary()).toMatchObject({ total: 3, succeeded: 3, waiting: 0, rootCause: null });
  });

  it('a probe without a verdict by its deadline is a miss', async () => {
    session.verdict = 'hang';
    await clock.advance(30 * SEC + 5 * SEC); // first probe times out
    await clock.advance(30 * SEC + 5 * SEC); // second too
    expect(monitor.health('s1')).toMatchObject({ status: 'dead', death: { cause: 'heartbeat: TIMEOUT' } });
  });

  it('registering a new session under the dead one\'s id starts the waiting operations on it', async () => {
    session.die('browser crashed');
    const batch = monitor.batch();
    const result = batch.run('s1', 'op', work(clock, 'op', SEC, log));
    expect(batch.summary().waiting).toBe(1);
    monitor.register('s1', new FakeSession());
    await clock.advance(0); // the woken operation schedules its work
    await clock.advance(SEC);
    await expect(result).resolves.toBe('op');
  });

  it('a waiting operation its caller cancels is recorded as cancelled by the caller, counts still consistent', async () => {
    session.die('browser crashed');
    const batch = monitor.batch();
    const controller = new AbortController();
    const cancelled = batch.run('s1', 'op-a', work(clock, 'op-a', SEC, log), { signal: controller.signal }).catch((e: unknown) => e);
    const waiting = batch.run('s1', 'op-b', work(clock, 'op-b', SEC, log)).catch((e: unknown) => e);
    controller.abort(new Error('job cancelled'));
    expect(await cancelled).toBeInstanceOf(AbortedError);
    expect(batch.summary()).toMatchObject({ total: 2, cancelled: 1, cancelledByCaller: 1, waiting: 1, rootCause: { cancelled: 0, waiting: 1 } });
    monitor.close();
    expect(await waiting).toBeInstanceOf(OperationCancelledError);
  });

  it('an operation that fails because the browser is already gone (no disconnect event yet) is charged to the death, not counted as a failure', async () => {
    const batch = monitor.batch();
    const first = batch.run('s1', 'op-1', work(clock, 'op-1', 10 * SEC, log)).catch((e: unknown) => e);
    const crashing = batch.run('s1', 'op-2', async () => {
      session.alive = false;
      throw new Error('Protocol error: Connection closed.');
    }).catch((e: unknown) => e);
    expect(await crashing).toBeInstanceOf(OperationCancelledError);
    expect(await first).toBeInstanceOf(OperationCancelledError); // aborted with it
    expect(batch.summary()).toMatchObject({ total: 2, failed: 0, cancelled: 2, rootCause: { cause: 'browser disconnected', cancelled: 2 } });
  });

  it('the caller aborting an operation in flight aborts its signal and records it as cancelled by the caller', async () => {
    const batch = monitor.batch();
    const controller = new AbortController();
    const running = batch.run('s1', 'op', work(clock, 'op', 10 * SEC, log), { signal: controller.signal }).catch((e: unknown) => e);
    controller.abort(new Error('job cancelled'));
    expect(await running).toBeInstanceOf(AbortedError);
    expect(log.aborted).toEqual(['op']);
    expect(batch.summary()).toMatchObject({ total: 1, cancelled: 1, cancelledByCaller: 1, rootCause: null });
    expect(monitor.health('s1').status).toBe('healthy');
  });

  it('refuses an operation on a session it does not know', async () => {
    await expect(monitor.run('nope', 'op', async () => 1)).rejects.toBeInstanceOf(NotFoundError);
  });

  it('closed for a stop, it reports no death: operations end with the stop as root cause, one info line, and the browsers closing afterwards stay quiet', async () => {
    monitor.register('s2', new FakeSession());
    const batch = monitor.batch();
    const running = batch.run('s1', 'op', work(clock, 'op', 10 * SEC, log)).catch((e: unknown) => e);

    monitor.close('engine stopping');
    monitor.unregister('s1', 'master browser closed for recovery'); // what closing the master browsers does
    session.die('browser closed');
    expect(() => monitor.register('s3', new FakeSession())).toThrow(expect.objectContaining({ code: 'MONITOR_CLOSED' }));

    const error = await running;
    expect(error).toBeInstanceOf(OperationCancelledError);
    expect((error as OperationCancelledError).rootCause.cause).toBe('engine stopping');
    expect(log.aborted).toEqual(['op']);
    expect(monitor.closed).toBe(true);
    expect(monitor.health('s1')).toMatchObject({ status: 'dead', death: { cause: 'engine stopping' } });
    expect(logger.lines.filter((l) => l.level === 'error' || l.level === 'warn')).toEqual([]);
    expect(logger.lines).toContainEqual({ level: 'info', message: 'health monitor closed', fields: { cause: 'engine stopping', sessions: 2 } });
  });

  it('a session unregistered while the monitor runs (closed for recovery) is still a death at error level', () => {
    monitor.unregister('s1', 'master browser closed for recovery');
    expect(logger.lines.filter((l) => l.level === 'error')).toEqual([{ level: 'error', message: 'session dead', fields: { sessionId: 's1', cause: 'master browser closed for recovery', cancelled: 0 } }]);
  });

  it('unregistering a session counts as its death until it is registered again', async () => {
    monitor.unregister('s1', 'session closed by pool');
    expect(monitor.health('s1')).toMatchObject({ status: 'dead', death: { cause: 'session closed by pool' } });
    const probes = session.probes;
    await clock.advance(5 * 60 * SEC);
    expect(session.probes).toBe(probes); // no heartbeat on an unregistered session
  });
});
