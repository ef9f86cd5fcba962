// Payload schemas of the audit endpoints.
import { z } from 'zod/v4';

/** Stream ids: `<kind>-<id>`, bounded, no path or control characters. */
export const streamIdSchema = z.string().regex(/^[a-z][a-z0-9-]{0,31}-[A-Za-z0-9_.:-]{1,128}$/, 'not a stream id');

export const stateQuerySchema = z.object({ version: z.coerce.number().int().min(1).max(1_000_000_000) }).strict();

export const eventsQuerySchema = z
  .object({ from: z.coerce.number().int().min(1).max(1_000_000_000).optional(), limit: z.coerce.number().int().min(1).max(5000).optional() })
  .strict();
