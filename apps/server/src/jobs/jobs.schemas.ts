// Request schemas of the jobs API (zod/v4, strict: unknown fields are refused). The portal's own
// payload schema validates `payload` in intake; here only the envelope is checked. The job's
// states come from the machine (JOB_STATES), never from a list here.
import { z } from 'zod/v4';
import { JOB_STATES } from '@engine/machines';

const token = z.string().regex(/^[A-Za-z0-9_.:-]{1,128}$/, '1-128 characters of A-Z a-z 0-9 _ . : -');

export const submitJobSchema = z
  .object({
    portal: z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'a portal id'),
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

export const listJobsSchema = z
  .object({
    status: z.enum(JOB_STATES).optional(),
    portal: z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/).optional(),
    limit: z.coerce.number().int().min(1).max(500).default(50),
    cursor: z.string().regex(/^[A-Za-z0-9_-]{1,200}$/).optional(),
  })
  .strict();

export const cancelJobSchema = z.object({ reason: z.string().min(1).max(200).optional() }).strict();

/** Optional body of POST /jobs/:id/retry: `confirmNotSubmitted: true` when a person checked the portal and it holds no submission (required for a needs_review job). */
export const retryJobSchema = z.object({ confirmNotSubmitted: z.boolean().optional() }).strict();
