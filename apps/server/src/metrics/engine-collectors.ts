// The scrape-time collectors: gauges and counters computed from the committed state rather
// than fed by the engine as things happen, so they are right after a restart too.
// - engine_jobs{state}: jobs by current state from the read feed (every state of the job
//   machine is set, zero included, so a series does not vanish when its last job moves on).
// - engine_master_recoveries_total{portal,account,level,outcome}: finished recovery attempts from each
//   master session's history (the log is append-only, so the counts only grow; an attempt still
//   running is counted once it ends).
// - engine_open_incidents{portal,account,state,cause}, engine_incident_waiting_jobs{portal,account}
//   and engine_incident_operations{portal,account,outcome}: the open incidents
//   (SessionsApi.incidents): a series per master session that cannot serve jobs now (account:
//   the session's account, empty for a portal with one login).
// - engine_portal_jobs_{queued,running,waiting_for_rate,waiting_for_quiet_hours,waiting_for_session}{portal}:
//   the scheduler's per-portal load (JobsApi.portalLoad), every portal it knows at zero included;
//   engine_portal_concurrency_limit{portal}: the portal's own concurrency (adaptive: its current value).
import type { StateFeed } from '@engine/core';
import type { JobsApi, SessionsApi } from '@engine/engine';
import { JOB_MACHINE, JOB_STATES, MASTER_SESSION_MACHINE } from '@engine/machines';
import type { EngineMetrics } from './metrics';
import type { MetricsCollector } from './metrics.tokens';

export function engineCollectors(feed: StateFeed, sessions: SessionsApi): MetricsCollector[] {
  return [(metrics) => collectJobsByState(feed, metrics), recoveriesCollector(feed, sessions), (metrics) => collectIncidents(sessions, metrics)];
}

/** The scheduler's load per portal, read at each scrape. */
export function portalLoadCollector(jobs: Pick<JobsApi, 'portalLoad'>): MetricsCollector {
  return (metrics) => {
    for (const gauge of [metrics.portalQueued, metrics.portalRunning, metrics.portalWaitingForRate, metrics.portalWaitingForQuietHours, metrics.portalWaitingForSession, metrics.portalConcurrencyLimit]) gauge.reset();
    for (const load of jobs.portalLoad()) {
      const labels = { portal: load.portal };
      metrics.portalQueued.set(labels, load.queued);
      metrics.portalRunning.set(labels, load.running);
      metrics.portalWaitingForRate.set(labels, load.waitingForRate);
      metrics.portalWaitingForQuietHours.set(labels, load.waitingForQuietHours);
      metrics.portalWaitingForSession.set(labels, load.waitingForSession);
      if (load.concurrencyLimit !== null) metrics.portalConcurrencyLimit.set(labels, load.concurrencyLimit);
    }
  };
}

async function collectIncidents(sessions: SessionsApi, metrics: EngineMetrics): Promise<void> {
  const incidents = await sessions.incidents();
  // Reset first: an incident that closed since the last scrape must not leave its series behind.
  metrics.openIncidents.reset();
  metrics.incidentWaitingJobs.reset();
  metrics.incidentOperations.reset();
  for (const incident of incidents) {
    const session = { portal: incident.portal, account: incident.account ?? '' };
    metrics.openIncidents.set({ ...session, state: incident.state, cause: incident.rootCause.kind }, 1);
    metrics.incidentWaitingJobs.set(session, incident.dependents.waiting);
    for (const outcome of ['waiting', 'cancelled', 'refused'] as const) metrics.incidentOperations.set({ ...session, outcome }, incident.operations[outcome]);
  }
}

function collectJobsByState(feed: StateFeed, metrics: EngineMetrics): void {
  const counts = new Map<string, number>(JOB_STATES.map((s) => [s, 0]));
  for (const entry of feed.allOf(JOB_MACHINE)) counts.set(entry.state.value, (counts.get(entry.state.value) ?? 0) + 1);
  for (const [state, count] of counts) metrics.jobsByState.set({ state }, count);
}

/** Re-reads a master session's history only when its stream's version moved since the last scrape. */
function recoveriesCollector(feed: StateFeed, sessions: SessionsApi): MetricsCollector {
  const bySession = new Map<string, { version: number; portal: string; account: string; counts: Map<string, number> }>();
  return async (metrics) => {
    for (const entry of feed.allOf(MASTER_SESSION_MACHINE)) {
      const session = entry.stream.slice(MASTER_SESSION_MACHINE.streamPrefix.length);
      if (bySession.get(session)?.version === entry.version) continue;
      const counts = new Map<string, number>();
      for (const attempt of (await sessions.recoveries(session)).attempts) {
        if (attempt.outcome === 'running') continue;
        const key = `${attempt.level}\u0000${attempt.outcome}`;
        counts.set(key, (counts.get(key) ?? 0) + 1);
      }
      bySession.set(session, { version: entry.version, portal: entry.state.context.portal, account: accountOf(sessions, session), counts });
    }
    metrics.recoveries.reset();
    for (const { portal, account, counts } of bySession.values()) {
      for (const [key, count] of counts) {
        const [level, outcome] = key.split('\u0000');
        metrics.recoveries.inc({ portal, account, level, outcome }, count);
      }
    }
  };
}

/** The session's account label: its account id, empty for a portal with one login. */
function accountOf(sessions: SessionsApi, session: string): string {
  return sessions.get(session).account ?? '';
}
