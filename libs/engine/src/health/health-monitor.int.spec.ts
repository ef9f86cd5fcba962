// The health monitor on a real Chromium that is SIGKILLed in the middle of a batch: the
// browser's disconnect is the one root cause, operations in flight are aborted and recorded as
// cancelled by it (not as dozens of protocol errors), later ones wait, and the counts add up.
import { SystemClock } from '@engine/core';
import type { Page } from 'puppeteer-core';
import { chromiumKit, type ChromiumKit } from '../../test-support/chromium-kit';
import { monitoredBrowser } from './browser-session';
import { HealthMonitor } from './health-monitor';
import { OperationCancelledError } from './operation-cancelled-error';

jest.setTimeout(60_000);

describe('HealthMonitor with Chromium', () => {
  let kit: ChromiumKit;
  let monitor: HealthMonitor;

  beforeAll(async () => {
    kit = await chromiumKit();
  });

  afterAll(async () => {
    monitor?.close();
    expect(await kit.teardown()).toEqual([]);
  });

  it('SIGKILL mid-batch: one root cause, in-flight operations aborted via their signal, later ones waiting, consistent counts', async () => {
    const browser = await kit.host.launch({ timeoutMs: 30_000 });
    const page: Page = await browser.browser.newPage();
    monitor = new HealthMonitor({ clock: new SystemClock(), heartbeatMs: 1_000, probeTimeoutMs: 1_000 });
    monitor.register('browser-1', monitoredBrowser(browser));

    const signalled: string[] = [];
    /** Work inside the page that takes `ms`; stops as soon as its signal fires. */
    const pageWork = (name: string, ms: number) => (signal: AbortSignal) =>
      new Promise<string>((resolve, reject) => {
        signal.addEventListener('abort', () => (signalled.push(name), reject(signal.reason)), { once: true });
        page.evaluate((wait) => new Promise((done) => setTimeout(done, wait)), ms).then(() => resolve(name), reject);
      });

    const batch = monitor.batch();
    const outcomes: Promise<unknown>[] = [];
    for (let i = 0; i < 30; i++) outcomes.push(batch.run('browser-1', `op-${i}`, pageWork(`op-${i}`, 100 + i * 150)).catch((e: unknown) => e));
    while (batch.summary().succeeded < 5) await new Promise((resolve) => setTimeout(resolve, 25));

    process.kill(browser.pid as number, 'SIGKILL');
    const afterKill = await batch.settled();
    for (let i = 30; i < 40; i++) outcomes.push(batch.run('browser-1', `op-${i}`, pageWork(`op-${i}`, 100)).catch((e: unknown) => e));
    const summary = batch.summary();

    expect(summary.total).toBe(40);
    expect(summary.total).toBe(summary.succeeded + summary.failed + summary.cancelled + summary.waiting);
    expect(summary).toMatchObject({ failed: 0, waiting: 10, running: 0, failures: {} });
    expect(summary.succeeded).toBeGreaterThanOrEqual(5);
    expect(summary.cancelled).toBe(30 - afterKill.succeeded);
    expect(summary.cancelled).toBeGreaterThan(0);
    expect(summary.rootCauses).toHaveLength(1);
    expect(summary.rootCause?.reason).toMatch(/^session browser-1 dead: browser (crashed|disconnected)/);
    expect(batch.records.filter((r) => r.status === 'waiting').map((r) => r.waiting?.reason)).toEqual(Array(10).fill(summary.rootCause?.reason));
    // Every cancelled operation heard it through its signal.
    const cancelledNames = batch.records.filter((r) => r.status === 'cancelled').map((r) => r.name);
    expect(signalled.sort()).toEqual(cancelledNames.sort());
    const errors = (await Promise.all(outcomes.slice(0, 30))).filter((o) => o instanceof Error);
    expect(errors.every((e) => e instanceof OperationCancelledError)).toBe(true);
    expect(monitor.health('browser-1').status).toBe('dead');

    monitor.close(); // the waiting ones end as cancelled; nothing hangs
    const late = await Promise.all(outcomes.slice(30));
    expect(late.every((e) => e instanceof OperationCancelledError)).toBe(true);
  });
});
