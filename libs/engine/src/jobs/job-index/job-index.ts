// The JobIndex port: a projection of every job's latest committed state into rows that can be
// searched by portal, state, failure kind, business key and created/finished time, a page at a
// time in one stable order (created_at, job_id). Adapters: memory (tests, the memory store),
// SQLite (a table in the event store's file), PostgreSQL (a table next to the events); all pass
// conformance/job-index.conformance.ts. It holds nothing the log does not: JobIndexProjection fills it from
// the read feed and rebuilds it from the log when it is missing or of another schema version.
import { ValidationError, type StreamState } from '@engine/core';
import { isJobFinal, lastJobFailure } from '@engine/machines';
import type { JobState } from '../job-intake';

/** Bump when the rows or tables change: an index of another version is dropped and rebuilt. */
export const JOB_INDEX_SCHEMA_VERSION = 1;

/** One job as the index holds it. Times are ISO-8601 UTC strings as the engine's clock writes them. */
export interface JobIndexRow {
  jobId: string;
  portal: string;
  state: string;
  /** The adapter's business key (a payload field its schema declares), computed at intake. */
  businessKey: string;
  externalId: string | null;
  /** The type of the job's last failure (the view's `failureType`); null when it never failed. */
  failureKind: string | null;
  /** When intake accepted it; '' for a job recorded without one (sorts first). */
  createdAt: string;
  /** When it reached a final state (the time of that event); null while it can still move. */
  finishedAt: string | null;
  /** The stream version this row was taken at: a write never replaces a row with an older one. */
  version: number;
  position: number;
}

/** Where a page starts: after this job in (createdAt, jobId) order. */
export interface JobSortKey {
  createdAt: string;
  jobId: string;
}

/**
 * Every field narrows the result (all must hold). Time bounds are half-open: `from` inclusive,
 * `to` exclusive; a finished bound leaves out jobs that have not finished.
 */
export interface JobSearch {
  portal?: string;
  /** Any of these states. */
  states?: readonly string[];
  failureKind?: string;
  businessKey?: string;
  createdFrom?: string;
  createdTo?: string;
  finishedFrom?: string;
  finishedTo?: string;
  after?: JobSortKey;
  limit: number;
}

export interface JobIndex {
  /**
   * Upserts the rows (a row whose version is not newer than the indexed one is ignored) and
   * records that every event up to `position` is indexed, in one transaction. Job ids are
   * unique within one call.
   */
  write(rows: readonly JobIndexRow[], position: number): Promise<void>;
  /** At most `limit` rows matching the search, in (createdAt, jobId) order, after `after`. */
  search(query: JobSearch): Promise<JobIndexRow[]>;
  /** Every event at or below it is indexed; null when the index is new or was dropped (rebuild it). */
  position(): Promise<number | null>;
  /** Empties the index, position included, before a rebuild. */
  clear(): Promise<void>;
  close(): Promise<void>;
}

/** The index row of a job's committed state. */
export function jobIndexRow(entry: StreamState<JobState>): JobIndexRow {
  const context = entry.state.context;
  return {
    jobId: context.jobId,
    portal: context.portal,
    state: String(entry.state.value),
    businessKey: context.businessKey,
    externalId: context.externalId,
    failureKind: lastJobFailure(entry.state)?.failureType ?? null,
    createdAt: context.createdAt ?? '',
    // A final state takes no more events, so its last event is the one that finished the job.
    finishedAt: isJobFinal(entry.state) ? entry.updatedAt : null,
    version: entry.version,
    position: entry.position,
  };
}

/** Whether `row` matches `query` (the memory adapter's filter; the SQL adapters say the same in SQL). */
export function matchesJobSearch(row: JobIndexRow, query: JobSearch): boolean {
  if (query.portal !== undefined && row.portal !== query.portal) return false;
  if (query.states !== undefined && !query.states.includes(row.state)) return false;
  if (query.failureKind !== undefined && row.failureKind !== query.failureKind) return false;
  if (query.businessKey !== undefined && row.businessKey !== query.businessKey) return false;
  if (query.createdFrom !== undefined && row.createdAt < query.createdFrom) return false;
  if (query.createdTo !== undefined && row.createdAt >= query.createdTo) return false;
  if (query.finishedFrom !== undefined && (row.finishedAt === null || row.finishedAt < query.finishedFrom)) return false;
  if (query.finishedTo !== undefined && (row.finishedAt === null || row.finishedAt >= query.finishedTo)) return false;
  if (query.after !== undefined && compareJobSortKeys(row, query.after) <= 0) return false;
  return true;
}

/** (createdAt, jobId) by code unit, as SQLite's BINARY and PostgreSQL's "C" collation order them. */
export function compareJobSortKeys(a: JobSortKey, b: JobSortKey): number {
  if (a.createdAt !== b.createdAt) return a.createdAt < b.createdAt ? -1 : 1;
  if (a.jobId !== b.jobId) return a.jobId < b.jobId ? -1 : 1;
  return 0;
}

const CURSOR_TIME = /^(|\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z)$/;
const CURSOR_JOB_ID = /^[A-Za-z0-9_-]{1,64}$/;

/** The opaque page cursor: base64url of the sort key of the page's last job. */
export function encodeJobCursor(key: JobSortKey): string {
  return Buffer.from(JSON.stringify([key.createdAt, key.jobId])).toString('base64url');
}

/**
 * The sort key of a cursor from `encodeJobCursor`. Anything else (not base64url, not canonical,
 * not the key's shape) is a ValidationError naming `cursor`: a client gets a 400, not a page
 * that starts at an arbitrary place.
 */
export function decodeJobCursor(cursor: string): JobSortKey {
  const refused = () => new ValidationError('invalid query', { cursor: 'not a cursor from a previous page' });
  if (!/^[A-Za-z0-9_-]{1,400}$/.test(cursor)) throw refused();
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw refused();
  }
  if (!Array.isArray(parsed) || parsed.length !== 2) throw refused();
  const [createdAt, jobId] = parsed as unknown[];
  if (typeof createdAt !== 'string' || typeof jobId !== 'string' || !CURSOR_TIME.test(createdAt) || !CURSOR_JOB_ID.test(jobId)) throw refused();
  const key = { createdAt, jobId };
  // One key, one spelling: a cursor with bits changed that still decodes is refused too.
  if (encodeJobCursor(key) !== cursor) throw refused();
  return key;
}
