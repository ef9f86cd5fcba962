// Prometheus metrics. Counters and histograms are fed by the engine as things happen; gauges
// of current state (jobs by state) are computed from the live read model at scrape time.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { CaptchaSolveReport } from '@engine/portals';

export class EngineMetrics {
  readonly registry = new Registry();
  readonly appendLatency = new Histogram({
    name: 'engine_event_append_seconds',
    help: 'Latency of durable event-store appends',
    buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 1],
    registers: [this.registry],
  });
  readonly cloneLatency = new Histogram({
    name: 'engine_session_clone_seconds',
    help: 'Time to a cloned, logged-in portal session',
    labelNames: ['portal', 'strategy'],
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30],
    registers: [this.registry],
  });
  readonly recoveries = new Counter({
    name: 'engine_master_recoveries_total',
    help: 'Master-session recovery attempts by level and outcome (account: the session\'s account; empty for a portal with one login)',
    labelNames: ['portal', 'account', 'level', 'outcome'],
    registers: [this.registry],
  });
  readonly jobsByState = new Gauge({
    name: 'engine_jobs',
    help: 'Jobs by current state',
    labelNames: ['state'],
    registers: [this.registry],
  });
  readonly openIncidents = new Gauge({
    name: 'engine_open_incidents',
    help: 'Open incidents (a master session that cannot serve jobs) by portal, account and root cause; 0 or 1 per master session',
    labelNames: ['portal', 'account', 'state', 'cause'],
    registers: [this.registry],
  });
  readonly incidentWaitingJobs = new Gauge({
    name: 'engine_incident_waiting_jobs',
    help: 'Jobs held by an open incident: ready to start, waiting for their portal\'s master session (account: the session\'s)',
    labelNames: ['portal', 'account'],
    registers: [this.registry],
  });
  readonly incidentOperations = new Gauge({
    name: 'engine_incident_operations',
    help: 'Operations other than jobs an open incident charged (session leases, keep-alive probes), by what happened to them: waiting, cancelled, refused',
    labelNames: ['portal', 'account', 'outcome'],
    registers: [this.registry],
  });
  readonly portalQueued = new Gauge({
    name: 'engine_portal_jobs_queued',
    help: 'Jobs ready to start, by portal (whatever holds them: a free slot, the rate limit, quiet hours, the master session)',
    labelNames: ['portal'],
    registers: [this.registry],
  });
  readonly portalRunning = new Gauge({
    name: 'engine_portal_jobs_running',
    help: 'Attempts in flight, by portal',
    labelNames: ['portal'],
    registers: [this.registry],
  });
  readonly portalWaitingForRate = new Gauge({
    name: 'engine_portal_jobs_waiting_for_rate',
    help: 'Queued jobs held by their portal\'s start spacing or per-minute budget',
    labelNames: ['portal'],
    registers: [this.registry],
  });
  readonly portalWaitingForQuietHours = new Gauge({
    name: 'engine_portal_jobs_waiting_for_quiet_hours',
    help: 'Queued jobs held by their portal\'s quiet hours',
    labelNames: ['portal'],
    registers: [this.registry],
  });
  readonly portalWaitingForSession = new Gauge({
    name: 'engine_portal_jobs_waiting_for_session',
    help: 'Jobs waiting for their portal\'s master session: queued while it is not available, or retrying once it is logged in again after they met the login form',
    labelNames: ['portal'],
    registers: [this.registry],
  });
  readonly portalConcurrencyLimit = new Gauge({
    name: 'engine_portal_concurrency_limit',
    help: 'A portal\'s own concurrency now (with adaptive concurrency, where it has moved to between its floor and ceiling); portals bound only by CONCURRENCY have no series',
    labelNames: ['portal'],
    registers: [this.registry],
  });

  readonly captchaSolves = new Counter({
    name: 'engine_captcha_solves_total',
    help: 'Captchas given to each stage of a portal\'s solver chain, by outcome (solved, unsolvable, timeout, aborted, error)',
    labelNames: ['portal', 'solver', 'outcome'],
    registers: [this.registry],
  });
  readonly captchaSolveCost = new Counter({
    name: 'engine_captcha_solve_cost_total',
    help: 'What solved captchas cost, in the units of each stage\'s configured costPerSolve',
    labelNames: ['portal', 'solver'],
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }

  /** A solver chain's observer: one stage's outcome, and its cost when it answered. */
  captchaSolved(report: CaptchaSolveReport): void {
    this.captchaSolves.inc({ portal: report.portal, solver: report.solver, outcome: report.outcome });
    if (report.cost > 0) this.captchaSolveCost.inc({ portal: report.portal, solver: report.solver }, report.cost);
  }
}
