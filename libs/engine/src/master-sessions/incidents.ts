// Open incidents: one per master session (a portal's, or each account's) that cannot serve jobs
// now, with its one root cause (what started the recovery, or why the session is not up yet),
// since when, the jobs that depend on it, and the other operations its outage held, cancelled or
// refused (session leases, keep-alive probes). Read from the committed state of the read feed and
// the session's own log, so it is the same after a restart and on every worker (the operations
// are this process's: they ran here).
import { z } from 'zod/v4';
import type { RecordedEvent, StateOf, StreamState } from '@engine/core';
import { attemptSession, isJobFinal, isJobRunnable, isMasterAvailable, MASTER_SESSION_MACHINE, masterSessionHasTag, masterStateName, type JobDefinition, type MasterSessionDefinition } from '@engine/machines';

type MasterState = StateOf<MasterSessionDefinition>;
type JobState = StateOf<JobDefinition>;

/** How many job ids an incident lists; the counts are always complete. */
export const INCIDENT_JOB_IDS_SHOWN = 20;

export const incidentSchema = z.object({
  portal: z.string(),
  session: z.string().describe('the master session: `<portal>` (a portal with one login, or its first account) or `<portal>.<account>`'),
  account: z.string().nullable().describe('the account the session logs in as, for a portal that lists accounts; null for a portal with one credentials reference'),
  state: z.string().describe('the master session state: launching, loggingIn, awaitingCaptcha, recovering, critical, restarting'),
  since: z.string().describe('when the session stopped being available (or was created, if it never was)'),
  rootCause: z.object({
    kind: z.enum(['failureReport', 'heartbeat', 'browserLost', 'startup', 'operator', 'starting']).describe('what started the recovery; starting: no recovery, the session is logging in for the first time'),
    reason: z.string(),
    jobId: z.string().nullable().describe('the job whose report started the recovery'),
    reportedAt: z.string().nullable(),
  }),
  intakeHalted: z.boolean().describe('critical: new jobs are refused until an operator resets the session'),
  awaitingCaptcha: z.boolean(),
  recovery: z.object({ number: z.number().int(), attempts: z.number().int(), joinedReports: z.number().int() }).nullable(),
  dependents: z.object({
    waiting: z.number().int().describe('jobs of the portal ready to start, held until the session is back (0 while another account of the portal is available: they start there)'),
    active: z.number().int().describe('jobs of the portal in an attempt or waiting to retry (only those attempting through this session while another account of the portal is available)'),
    jobIds: z.array(z.string()).describe(`the first ${INCIDENT_JOB_IDS_SHOWN} waiting jobs`),
  }),
  operations: z
    .object({
      waiting: z.number().int().describe('held until the session is healthy again (a lease copy)'),
      cancelled: z.number().int().describe('cancelled by the session\'s death: in flight when it died, or a keep-alive probe that found it dead'),
      refused: z.number().int().describe('lease requests refused because the session was not available'),
      byName: z.record(z.string(), z.number().int()).describe('the same by operation: lease, keepAlive'),
    })
    .describe('what else uses the session (session leases, keep-alive probes), counted under this root cause instead of as failures of their own'),
});
export type Incident = z.infer<typeof incidentSchema>;

export const incidentListSchema = z.object({ incidents: z.array(incidentSchema) });

/** What an incident names besides the session's state: its account and what its outage charged. */
export interface IncidentExtras {
  account: string | null;
  operations: Incident['operations'];
  /**
   * Another account's session of the portal is available: the portal's ready jobs start there,
   * so none waits on this one, and its active jobs are only those attempting through it.
   */
  portalServed?: boolean;
}

const NO_OPERATIONS: Incident['operations'] = { waiting: 0, cancelled: 0, refused: 0, byName: {} };

export function incidentOf(master: StreamState<MasterState>, jobs: Iterable<StreamState<JobState>>, since: string, extras: IncidentExtras = { account: null, operations: NO_OPERATIONS }): Incident {
  const c = master.state.context;
  const portal = c.portal;
  const waiting: string[] = [];
  let active = 0;
  for (const job of jobs) {
    if (job.state.context.portal !== portal || isJobFinal(job.state)) continue;
    if (isJobRunnable(job.state)) {
      if (!extras.portalServed) waiting.push(job.state.context.jobId);
    } else if (!extras.portalServed || attemptSession(job.state.context) === master.stream) active += 1;
  }
  const recovery = c.recovery;
  const trigger = recovery?.trigger;
  const captcha = masterSessionHasTag(master.state, 'awaitingCaptcha');
  return {
    portal,
    session: master.stream.slice(MASTER_SESSION_MACHINE.streamPrefix.length),
    account: extras.account,
    state: masterStateName(master.state),
    since,
    rootCause: trigger
      ? {
          kind: trigger.kind,
          reason: trigger.reason,
          jobId: trigger.kind === 'failureReport' ? trigger.jobId : null,
          reportedAt: trigger.kind === 'failureReport' || trigger.kind === 'browserLost' || trigger.kind === 'operator' ? trigger.at : null,
        }
      : { kind: 'starting', reason: captcha ? captchaReason(c.captcha?.unanswered ?? 0) : 'logging in for the first time', jobId: null, reportedAt: null },
    intakeHalted: c.intakeHalted,
    awaitingCaptcha: captcha,
    recovery: recovery ? { number: recovery.number, attempts: recovery.attempts.length, joinedReports: recovery.joinedReports } : null,
    dependents: { waiting: waiting.length, active, jobIds: waiting.slice(0, INCIDENT_JOB_IDS_SHOWN) },
    operations: extras.operations,
  };
}

function captchaReason(unanswered: number): string {
  return unanswered === 0 ? 'the login waits for a captcha answer' : `the login waits for a captcha answer (${unanswered} challenges in a row expired unanswered)`;
}

/** When the session last stopped being available: the first event of its current unavailable run. */
export function unavailableSince(events: ReadonlyArray<Pick<RecordedEvent, 'stateAfter' | 'meta'>>): string | null {
  return unavailableWindow(events).since;
}

/**
 * The current unavailable run: `since` its first event, `after` when the session last became
 * available before it (its login; null: it never was). What the session's deaths and refusals
 * after `after` held or cancelled is charged to this run: the health monitor may see a death well
 * before the log does (a dead browser found by the next keep-alive probe), while the log still
 * shows the session available.
 */
export function unavailableWindow(events: ReadonlyArray<Pick<RecordedEvent, 'stateAfter' | 'meta'>>): { since: string | null; after: string | null } {
  let since: string | null = null;
  let after: string | null = null;
  let available = false;
  for (const event of events) {
    const state = event.stateAfter as MasterState | undefined;
    if (!state) continue;
    if (isMasterAvailable(state)) {
      if (!available) after = event.meta.at;
      available = true;
      since = null;
    } else {
      available = false;
      since ??= event.meta.at;
    }
  }
  return { since, after };
}
