// What the SQL adapters of the JobIndex share: the WHERE clause of a search, written once with a
// placeholder function per dialect, so SQLite and PostgreSQL filter exactly as matchesJobSearch.
import type { JobIndexRow, JobSearch } from './job-index';

/** The row's columns, in JobIndexRow's order. */
export const JOB_INDEX_COLUMNS = ['job_id', 'portal', 'state', 'business_key', 'external_id', 'failure_kind', 'created_at', 'finished_at', 'version', 'position'] as const;

export const SELECT_ROW =
  'job_id AS "jobId", portal, state, business_key AS "businessKey", external_id AS "externalId", failure_kind AS "failureKind", created_at AS "createdAt", finished_at AS "finishedAt", version, position';

export interface SqlWhere {
  sql: string;
  params: unknown[];
}

/**
 * The conditions of `query`; `param` turns a value into a placeholder (and records it), `inList`
 * a list of values into `IN (…)` or `= ANY(…)`.
 */
export function jobSearchWhere(query: JobSearch, param: (value: unknown) => string, inList: (column: string, values: readonly string[]) => string): string {
  const where: string[] = [];
  if (query.portal !== undefined) where.push(`portal = ${param(query.portal)}`);
  if (query.states !== undefined) where.push(query.states.length === 0 ? 'false' : inList('state', query.states));
  if (query.failureKind !== undefined) where.push(`failure_kind = ${param(query.failureKind)}`);
  if (query.businessKey !== undefined) where.push(`business_key = ${param(query.businessKey)}`);
  if (query.createdFrom !== undefined) where.push(`created_at >= ${param(query.createdFrom)}`);
  if (query.createdTo !== undefined) where.push(`created_at < ${param(query.createdTo)}`);
  // NULL compares as unknown: a job that has not finished is left out by either bound.
  if (query.finishedFrom !== undefined) where.push(`finished_at >= ${param(query.finishedFrom)}`);
  if (query.finishedTo !== undefined) where.push(`finished_at < ${param(query.finishedTo)}`);
  if (query.after !== undefined) where.push(`(created_at, job_id) > (${param(query.after.createdAt)}, ${param(query.after.jobId)})`);
  return where.length === 0 ? '' : `WHERE ${where.join(' AND ')}`;
}

export function rowValues(row: JobIndexRow): unknown[] {
  return [row.jobId, row.portal, row.state, row.businessKey, row.externalId, row.failureKind, row.createdAt, row.finishedAt, row.version, row.position];
}
