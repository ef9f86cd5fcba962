// Payload schemas of the session-lease endpoints; the bounds are the machine's own
// (machines/session-lease), so the API, the runtime and the log agree.
import { z } from 'zod/v4';
import { LEASE_ID_PATTERN, MAX_LEASE_TTL_MS, MIN_LEASE_TTL_MS } from '@engine/machines';
import { accountIdSchema, portalIdSchema } from './sessions.schemas';

export const leaseIdSchema = z.string().max(64).regex(LEASE_ID_PATTERN, `must match ${LEASE_ID_PATTERN.source}`);

export const createLeaseSchema = z
  .object({
    portal: portalIdSchema,
    account: accountIdSchema.optional().describe("one of the portal's accounts: its master session is lent; default the portal's first (or only) one"),
    ttlMs: z.number().int().min(MIN_LEASE_TTL_MS).max(MAX_LEASE_TTL_MS).optional().describe('how long the lease lasts; default 5 minutes'),
    mode: z.enum(['devtools', 'cookies']).optional().describe('devtools (default): an isolated browser\'s DevTools endpoint on 127.0.0.1; cookies: the session\'s cookies'),
  })
  .strict();

/** Commands without parameters take no body but `{}`. */
export const emptyLeaseBodySchema = z.object({}).strict();

export const emptyLeaseQuerySchema = z.object({}).strict();
