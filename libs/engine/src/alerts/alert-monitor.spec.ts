// The alert monitor on recorded events and a simulated clock: warnings from the log, one per
// condition, cleared by time passing; fed live from a store subscription.
import { SimulatedClock } from '@engine/core';
import { MemoryEventStore } from '@engine/event-store';
import { AlertMonitor } from './alert-monitor';
import { jobEvent, jobFinished, recoveryEvent, RecordingAlerter } from './alert-test-kit';

const MIN = 60_000;

describe('AlertMonitor', () => {
  let clock: SimulatedClock;
  let alerter: RecordingAlerter;
  let monitor: AlertMonitor;

  beforeEach(() => {
    clock = new SimulatedClock();
    alerter = new RecordingAlerter();
    monitor = new AlertMonitor({ alerter, clock });
  });

  async function recoveriesEveryMinute(portal: string, from: number, to: number) {
    for (let n = from; n <= to; n++) {
      await clock.advance(MIN);
      monitor.observe(recoveryEvent(portal, n, clock.now()));
      // Several events per recovery (each attempt's progress) must still count it once.
      monitor.observe(recoveryEvent(portal, n, clock.now() + 1));
      await monitor.evaluate();
    }
  }

  it('warns once when recoveries exceed 10 per hour, not again while it lasts, and again after it cleared', async () => {
    await recoveriesEveryMinute('portal-a', 1, 10);
    expect(alerter.sent).toEqual([]);
    await recoveriesEveryMinute('portal-a', 11, 30);
    expect(alerter.sent).toHaveLength(1);
    expect(alerter.sent[0]).toMatchObject({ level: 'warning', code: 'RECOVERY_RATE', portal: 'portal-a' });
    expect(alerter.sent[0].message).toContain('11 master-session recoveries');

    await clock.advance(2 * 60 * MIN); // the hour empties
    await monitor.evaluate();
    expect(monitor.conditions().find((c) => c.code === 'RECOVERY_RATE')?.active).toBe(false);
    await recoveriesEveryMinute('portal-a', 31, 41);
    expect(alerter.sent).toHaveLength(2);
  });

  it('warns when the job success rate falls below 70 % over the window', async () => {
    for (let i = 0; i < 6; i++) monitor.observe(jobFinished('portal-a', `ok-${i}`, 'submitted', clock.now()));
    for (let i = 0; i < 4; i++) monitor.observe(jobFinished('portal-a', `bad-${i}`, 'failed', clock.now()));
    // The same final state recorded twice (timer bookkeeping in the same append) is one job.
    monitor.observe(jobFinished('portal-a', 'bad-0', 'failed', clock.now()));
    expect(await monitor.evaluate()).toEqual([expect.objectContaining({ code: 'JOB_SUCCESS_RATE', portal: 'portal-a' })]);
    expect(alerter.sent[0].message).toContain('6 of 10');
    expect(await monitor.evaluate()).toEqual([]);
  });

  it('reports which events change what the rules read: a job reaching its end, not its steps before nor its end seen again', () => {
    expect(monitor.observe(jobEvent('portal-a', 'job-1', 'filling', clock.now()))).toBe(false);
    expect(monitor.observe(jobFinished('portal-a', 'job-1', 'submitted', clock.now()))).toBe(true);
    expect(monitor.observe(jobFinished('portal-a', 'job-1', 'submitted', clock.now()))).toBe(false);
    expect(monitor.observe(recoveryEvent('portal-a', 1, clock.now()))).toBe(true);
  });

  it('forgets finished jobs once no window reaches them, keeping those still in reach', async () => {
    for (let i = 0; i < 10; i++) monitor.observe(jobFinished('portal-a', `old-${i}`, 'failed', clock.now()));
    await clock.advance(90 * MIN);
    for (let i = 0; i < 10; i++) monitor.observe(jobFinished('portal-a', `new-${i}`, 'failed', clock.now()));
    await clock.advance(60 * MIN);
    await monitor.evaluate();
    // 150 min after the first ten (beyond the two hours kept), 60 min after the others.
    expect(monitor.observe(jobFinished('portal-a', 'old-0', 'failed', clock.now()))).toBe(true);
    expect(monitor.observe(jobFinished('portal-a', 'new-0', 'failed', clock.now()))).toBe(false);
  });

  it('retries an undelivered warning at the next evaluation', async () => {
    alerter.failNext = 1;
    for (let i = 0; i < 10; i++) monitor.observe(jobFinished('portal-a', `bad-${i}`, 'failed', clock.now()));
    expect(await monitor.evaluate()).toEqual([]);
    const [delivered] = await monitor.evaluate();
    expect(delivered.code).toBe('JOB_SUCCESS_RATE');
    expect(alerter.sent).toHaveLength(1);
  });

  it('watches a store: events appended later raise the warning without a call to evaluate', async () => {
    const store = new MemoryEventStore();
    const watcher = monitor.watch(store, { intervalMs: MIN });
    for (let i = 0; i < 10; i++) {
      const event = jobFinished('portal-b', `bad-${i}`, 'failed', clock.now());
      await store.append(event.stream, [{ type: event.type, data: event.data, stateAfter: event.stateAfter, meta: event.meta }], { expectedVersion: 'no-stream' });
    }
    await clock.advance(MIN); // lets the subscription drain and the tick run
    await watcher.close();
    await store.close();
    expect(alerter.sent.map((a) => `${a.code}:${a.portal}`)).toEqual(['JOB_SUCCESS_RATE:portal-b']);
  });
});
