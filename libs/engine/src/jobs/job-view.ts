// What the API shows of a job: its state and the facts an operator needs, read from the
// committed state. The schema is the one definition of the shape: the TypeScript type, the
// API's response documentation and the tests all come from it.
import { z } from 'zod/v4';
import type { StreamState } from '@engine/core';
import { isJobFinal, JOB_STATES } from '@engine/machines';
import type { JobState } from './job-intake';

export const jobFailureSchema = z.object({
  failureType: z.string(),
  stage: z.string(),
  step: z.string().nullable(),
  attempt: z.number().int(),
  code: z.string(),
  artifactRef: z.string().nullable(),
  at: z.string().nullable(),
});

export const jobStateSchema = z.enum(JOB_STATES);

export const jobViewSchema = z.object({
  jobId: z.string(),
  portal: z.string(),
  externalId: z.string().nullable(),
  businessKey: z.string(),
  state: jobStateSchema,
  final: z.boolean(),
  stage: z.string(),
  attempts: z.number().int(),
  maxAttempts: z.number().int(),
  failureType: z.string().nullable(),
  failures: z.array(jobFailureSchema),
  reference: z.string().nullable(),
  artifacts: z.array(z.string()),
  createdAt: z.string().nullable(),
  updatedAt: z.string(),
  retryOf: z
    .object({ jobId: z.string(), by: z.string(), confirmedNotSubmitted: z.boolean() })
    .nullable()
    .describe('the job this one starts over (a retry, or a needs_review job resubmitted after a person checked the portal); null otherwise'),
  /** The stream version this view was read at: every change of the job moves it. */
  version: z.number().int(),
});

export type JobView = z.infer<typeof jobViewSchema>;

export function jobView(entry: StreamState<JobState>): JobView {
  const c = entry.state.context;
  const last = c.failures[c.failures.length - 1];
  const artifacts = [...new Set([...c.artifacts, ...c.failures.map((f) => f.artifactRef).filter((a): a is string => !!a)])];
  return {
    jobId: c.jobId,
    portal: c.portal,
    externalId: c.externalId,
    businessKey: c.businessKey,
    state: entry.state.value,
    final: isJobFinal(entry.state),
    stage: c.stage,
    attempts: c.attempt,
    maxAttempts: c.maxAttempts,
    failureType: last?.failureType ?? null,
    failures: c.failures,
    reference: c.reference,
    artifacts,
    createdAt: c.createdAt,
    updatedAt: entry.updatedAt,
    retryOf: c.retryOf ?? null,
    version: entry.version,
  };
}
