// Request schemas of the jobs API (zod/v4, strict: unknown fields are refused). The portal's own
// payload schema validates `payload` in intake; here only the envelope is checked. The job's
// states come from the machine (JOB_STATES), never from a list here.
import { z } from 'zod/v4';
import type { JobListFilter } from '@engine/engine';
import { JOB_FAILURE_TYPES, JOB_STATES } from '@engine/machines';

const portalId = z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'a portal id');

const token = z.string().regex(/^[A-Za-z0-9_.:-]{1,128}$/, '1-128 characters of A-Z a-z 0-9 _ . : -');

export const submitJobSchema = z
  .object({
    portal: portalId,
    payload: z.record(z.string(), z.unknown()),
    externalId: token.optional(),
    callbackUrl: z
      .string()
      .max(2048, 'must be at most 2048 characters')
      .optional()
      .describe('POSTed the job\'s outcome when it ends (signed, retried); replaces the server\'s CALLBACK_URL for this job'),
  })
  .strict();

export const idempotencyKeySchema = token;
export const jobIdSchema = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'not a job id');
export const externalIdSchema = token;

/** An ISO-8601 time with an offset (or a date, meaning its UTC midnight), normalized to the engine's UTC form. */
const isoTime = z
  .union([z.iso.datetime({ offset: true }), z.iso.date()])
  .transform((value) => new Date(value).toISOString())
  .describe('ISO-8601 time with offset, or a date (its UTC midnight)');

/** `state=a&state=b` or `state=a,b`. */
const jobStates = z
  .union([z.string().max(400), z.array(z.string().max(100)).max(JOB_STATES.length)])
  .transform((value) => (Array.isArray(value) ? value : [value]).flatMap((v) => v.split(',')))
  .pipe(z.array(z.enum(JOB_STATES)).min(1))
  .describe('one or more job states: repeat the field or separate with commas');

const beforeOrEqual = (from: string | undefined, to: string | undefined) => from === undefined || to === undefined || from <= to;

/**
 * The job search. `status` is the older spelling of one `state` (both may be given: a job in
 * any of them matches). Time bounds are half-open: `…From` inclusive, `…To` exclusive.
 */
export const listJobsSchema = z
  .object({
    status: z.enum(JOB_STATES).optional().describe('one job state (same as state)'),
    state: jobStates.optional(),
    portal: portalId.optional(),
    failureKind: z.enum(JOB_FAILURE_TYPES).optional().describe("the type of the job's last failure"),
    businessKey: z.string().min(1).max(256).optional().describe("exact match of the business key the portal's adapter computed from the payload"),
    createdFrom: isoTime.optional(),
    createdTo: isoTime.optional(),
    finishedFrom: isoTime.optional(),
    finishedTo: isoTime.optional(),
    limit: z.coerce.number().int().min(1).max(500).default(50),
    cursor: z.string().regex(/^[A-Za-z0-9_-]{1,400}$/, 'not a cursor from a previous page').optional().describe('`next` of the previous page'),
  })
  .strict()
  .refine((q) => beforeOrEqual(q.createdFrom, q.createdTo), { path: ['createdTo'], message: 'before createdFrom' })
  .refine((q) => beforeOrEqual(q.finishedFrom, q.finishedTo), { path: ['finishedTo'], message: 'before finishedFrom' });

/** What the facade searches for: `status` folded into `state`. */
export function jobListFilter(query: z.output<typeof listJobsSchema>): JobListFilter {
  const { status, state, ...rest } = query;
  const states = status === undefined && state === undefined ? undefined : [...new Set([...(state ?? []), ...(status === undefined ? [] : [status])])];
  return { ...rest, states };
}

export const cancelJobSchema = z.object({ reason: z.string().min(1).max(200).optional() }).strict();

/** Optional body of POST /jobs/:id/retry: `confirmNotSubmitted: true` when a person checked the portal and it holds no submission (required for a needs_review job). */
export const retryJobSchema = z.object({ confirmNotSubmitted: z.boolean().optional() }).strict();
