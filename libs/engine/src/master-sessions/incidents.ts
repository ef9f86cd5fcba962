// Open incidents: one per portal whose master session cannot serve jobs now, with its one root
// cause (what started the recovery, or why the session is not up yet), since when, and the jobs
// that depend on it. Read from the committed state of the read feed and the session's own log,
// so it is the same after a restart and on every worker.
import { z } from 'zod/v4';
import type { RecordedEvent, StateOf, StreamState } from '@engine/core';
import { isJobFinal, isJobRunnable, isMasterAvailable, masterSessionHasTag, masterStateName, type JobDefinition, type MasterSessionDefinition } from '@engine/machines';

type MasterState = StateOf<MasterSessionDefinition>;
type JobState = StateOf<JobDefinition>;

/** How many job ids an incident lists; the counts are always complete. */
export const INCIDENT_JOB_IDS_SHOWN = 20;

export const incidentSchema = z.object({
  portal: z.string(),
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
    waiting: z.number().int().describe('jobs of the portal ready to start, held until the session is back'),
    active: z.number().int().describe('jobs of the portal in an attempt or waiting to retry'),
    jobIds: z.array(z.string()).describe(`the first ${INCIDENT_JOB_IDS_SHOWN} waiting jobs`),
  }),
});
export type Incident = z.infer<typeof incidentSchema>;

export const incidentListSchema = z.object({ incidents: z.array(incidentSchema) });

export function incidentOf(master: StreamState<MasterState>, jobs: Iterable<StreamState<JobState>>, since: string): Incident {
  const c = master.state.context;
  const portal = c.portal;
  const waiting: string[] = [];
  let active = 0;
  for (const job of jobs) {
    if (job.state.context.portal !== portal || isJobFinal(job.state)) continue;
    if (isJobRunnable(job.state)) waiting.push(job.state.context.jobId);
    else active += 1;
  }
  const recovery = c.recovery;
  const trigger = recovery?.trigger;
  const captcha = masterSessionHasTag(master.state, 'awaitingCaptcha');
  return {
    portal,
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
  };
}

function captchaReason(unanswered: number): string {
  return unanswered === 0 ? 'the login waits for a captcha answer' : `the login waits for a captcha answer (${unanswered} challenges in a row expired unanswered)`;
}

/** When the session last stopped being available: the first event of its current unavailable run. */
export function unavailableSince(events: ReadonlyArray<Pick<RecordedEvent, 'stateAfter' | 'meta'>>): string | null {
  let since: string | null = null;
  for (const event of events) {
    const state = event.stateAfter as MasterState | undefined;
    if (!state) continue;
    if (isMasterAvailable(state)) since = null;
    else since ??= event.meta.at;
  }
  return since;
}
