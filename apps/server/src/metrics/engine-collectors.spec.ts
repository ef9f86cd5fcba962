// The scrape-time collectors over a read feed: jobs by state (zeros included), finished
// recovery attempts by level and outcome, stable across scrapes, re-read only when the master
// stream moved; the scheduler's load per portal.
import { SimulatedClock, StateFeed, type RecordedEvent } from '@engine/core';
import type { Incident, SessionsApi } from '@engine/engine';
import { recoveryHistory } from '@engine/machines';
import { engineCollectors, portalLoadCollector } from './engine-collectors';
import { EngineMetrics } from './metrics';

type Attempt = { level: string; try: number; outcome: string; error: null };

let position = 0;
function recorded(stream: string, version: number, value: string, context: object): RecordedEvent {
  position += 1;
  return { stream, version, position, type: 't', data: {}, stateAfter: { value, context, status: 'active', effects: {}, timers: {} }, meta: { at: new Date(1_000 * position).toISOString() }, hash: 'h', prevHash: 'p' };
}

function masterEvent(version: number, attempts: Attempt[], stream = 'master-p'): RecordedEvent {
  return recorded(stream, version, 'recovering', { portal: 'p', recovery: { number: 1, trigger: 'failureReport', outcome: 'running', attempts, joinedReports: 0 } });
}

function fixture(jobs: string[], master: RecordedEvent[], incidents: Incident[] = [], accounts: Record<string, string> = {}) {
  const reads: string[] = [];
  const kindOf = (stream: string) => (stream.startsWith('master-') ? 'master-session' : 'job');
  const feed = new StateFeed({ clock: new SimulatedClock(), kindOf });
  jobs.forEach((state, i) => feed.apply(recorded(`job-${i}`, 1, state, { portal: 'p' })));
  for (const event of master) feed.apply(event);
  const sessions = {
    recoveries: async (session: string) => (reads.push(session), { portal: 'p', attempts: recoveryHistory(master.filter((e) => e.stream === `master-${session}`)) }),
    get: (session: string) => ({ session, account: accounts[session] ?? null }),
    incidents: async () => incidents,
  } as unknown as SessionsApi;
  return { feed, sessions, reads };
}

async function scrape(metrics: EngineMetrics, collectors: ReturnType<typeof engineCollectors>) {
  for (const collect of collectors) await collect(metrics);
  return metrics.registry.metrics();
}

describe('engineCollectors', () => {
  it('counts jobs by state, with every other known state at zero', async () => {
    const { feed, sessions } = fixture(['submitted', 'pending', 'submitted'], []);
    const text = await scrape(new EngineMetrics(), engineCollectors(feed, sessions));
    expect(text).toContain('engine_jobs{state="submitted"} 2');
    expect(text).toContain('engine_jobs{state="pending"} 1');
    expect(text).toContain('engine_jobs{state="failed_post_submission"} 0');
  });

  it('counts finished recovery attempts by level and outcome, once each across repeated scrapes, reading the stream only when it moved', async () => {
    const master = [
      masterEvent(1, [{ level: 'soft', try: 1, outcome: 'running', error: null }]),
      masterEvent(2, [{ level: 'soft', try: 1, outcome: 'failed', error: null }]),
      masterEvent(3, [{ level: 'soft', try: 1, outcome: 'failed', error: null }, { level: 'hard', try: 1, outcome: 'running', error: null }]),
    ];
    const { feed, sessions, reads } = fixture([], master);
    const metrics = new EngineMetrics();
    const collectors = engineCollectors(feed, sessions);
    await scrape(metrics, collectors);
    const text = await scrape(metrics, collectors);
    expect(text).toContain('engine_master_recoveries_total{portal="p",account="",level="soft",outcome="failed"} 1');
    expect(text).not.toContain('level="hard"');
    expect(reads).toEqual(['p']);
  });

  it('counts the recovery attempts of each account of a portal under its own account label', async () => {
    const master = [
      masterEvent(1, [{ level: 'soft', try: 1, outcome: 'failed', error: null }]),
      masterEvent(1, [{ level: 'hard', try: 1, outcome: 'succeeded', error: null }], 'master-p.b'),
    ];
    const { feed, sessions, reads } = fixture([], master, [], { p: 'a', 'p.b': 'b' });
    const text = await scrape(new EngineMetrics(), engineCollectors(feed, sessions));
    expect(text).toContain('engine_master_recoveries_total{portal="p",account="a",level="soft",outcome="failed"} 1');
    expect(text).toContain('engine_master_recoveries_total{portal="p",account="b",level="hard",outcome="succeeded"} 1');
    expect(text).not.toContain('account="a",level="hard"');
    expect(reads.sort()).toEqual(['p', 'p.b']);
  });

  it('shows each open incident as one series with its cause and the jobs waiting, and drops the series once it closes', async () => {
    const open: Incident = {
      portal: 'p',
      session: 'p.b',
      account: 'b',
      state: 'recovering',
      since: '2026-01-01T00:00:00.000Z',
      rootCause: { kind: 'failureReport', reason: 'login_form', jobId: 'j1', reportedAt: '2026-01-01T00:00:00.000Z' },
      intakeHalted: false,
      awaitingCaptcha: false,
      recovery: { number: 1, attempts: 1, joinedReports: 0 },
      dependents: { waiting: 4, active: 1, jobIds: ['a', 'b', 'c', 'd'] },
      operations: { waiting: 1, cancelled: 2, refused: 3, byName: { lease: 4, keepAlive: 2 } },
    };
    const incidents = [open];
    const { feed, sessions } = fixture([], [], incidents);
    const metrics = new EngineMetrics();
    const collectors = engineCollectors(feed, sessions);
    const during = await scrape(metrics, collectors);
    expect(during).toContain('engine_open_incidents{portal="p",account="b",state="recovering",cause="failureReport"} 1');
    expect(during).toContain('engine_incident_waiting_jobs{portal="p",account="b"} 4');
    expect(during).toContain('engine_incident_operations{portal="p",account="b",outcome="refused"} 3');
    expect(during).toContain('engine_incident_operations{portal="p",account="b",outcome="cancelled"} 2');
    incidents.pop();
    const after = await scrape(metrics, collectors);
    expect(after).not.toContain('engine_open_incidents{');
    expect(after).not.toContain('engine_incident_waiting_jobs{');
    expect(after).not.toContain('engine_incident_operations{');
  });

  it('shows the scheduler\'s load per portal as one series per gauge and portal, and the concurrency limit of portals that have one', async () => {
    const load = [
      { portal: 'fast', queued: 0, running: 2, waitingForRate: 0, waitingForQuietHours: 0, waitingForSession: 0, concurrencyLimit: null, adaptive: null },
      { portal: 'slow', queued: 5, running: 1, waitingForRate: 5, waitingForQuietHours: 0, waitingForSession: 3, concurrencyLimit: 2, adaptive: null },
    ];
    const metrics = new EngineMetrics();
    const collect = portalLoadCollector({ portalLoad: () => load });
    await collect(metrics);
    const text = await metrics.registry.metrics();
    expect(text).toContain('engine_portal_jobs_queued{portal="slow"} 5');
    expect(text).toContain('engine_portal_jobs_running{portal="fast"} 2');
    expect(text).toContain('engine_portal_jobs_waiting_for_rate{portal="slow"} 5');
    expect(text).toContain('engine_portal_jobs_waiting_for_quiet_hours{portal="fast"} 0');
    expect(text).toContain('engine_portal_jobs_waiting_for_session{portal="slow"} 3');
    expect(text).toContain('engine_portal_concurrency_limit{portal="slow"} 2');
    expect(text).not.toContain('engine_portal_concurrency_limit{portal="fast"}');
    load.pop();
    await collect(metrics);
    expect(await metrics.registry.metrics()).not.toContain('portal="slow"');
  });
});
