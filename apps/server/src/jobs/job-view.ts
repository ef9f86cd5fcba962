// What the API shows of a job: its state and the facts an operator needs, from the live index.
import type { IndexedStream } from '@engine/engine';
import type { JobContext } from '@engine/machines';

export interface JobView {
  jobId: string;
  portal: string;
  externalId: string | null;
  businessKey: string;
  state: string;
  final: boolean;
  stage: string;
  attempts: number;
  maxAttempts: number;
  failureType: string | null;
  failures: JobContext['failures'];
  reference: string | null;
  artifacts: string[];
  createdAt: string | null;
  updatedAt: string;
  version: number;
}

export function jobView(entry: IndexedStream): JobView {
  const c = entry.state.context as JobContext;
  const last = c.failures[c.failures.length - 1];
  const artifacts = [...new Set([...c.artifacts, ...c.failures.map((f) => f.artifactRef).filter((a): a is string => !!a)])];
  return {
    jobId: c.jobId,
    portal: c.portal,
    externalId: c.externalId,
    businessKey: c.businessKey,
    state: String(entry.state.value),
    final: entry.state.status !== 'active',
    stage: c.stage,
    attempts: c.attempt,
    maxAttempts: c.maxAttempts,
    failureType: last?.failureType ?? null,
    failures: c.failures,
    reference: c.reference,
    artifacts,
    createdAt: c.createdAt,
    updatedAt: entry.updatedAt,
    version: entry.version,
  };
}
