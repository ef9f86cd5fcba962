// Payload schemas of the audit endpoints.
import { z } from 'zod/v4';

/** Stream ids: `<kind>-<id>`, bounded, no path or control characters. */
export const streamIdSchema = z.string().regex(/^[a-z][a-z0-9-]{0,31}-[A-Za-z0-9_.:-]{1,128}$/, 'not a stream id');

export const stateQuerySchema = z.object({ version: z.coerce.number().int().min(1).max(1_000_000_000) }).strict();

export const eventsQuerySchema = z
  .object({ from: z.coerce.number().int().min(1).max(1_000_000_000).optional(), limit: z.coerce.number().int().min(1).max(5000).optional() })
  .strict();

// Response shapes (for the API documentation).
const recordedEventSchema = z.object({
  stream: z.string(),
  version: z.number().int(),
  position: z.number().int(),
  type: z.string(),
  data: z.unknown(),
  stateAfter: z.unknown().describe('the full state after the event (null for pure facts)'),
  meta: z.record(z.string(), z.unknown()),
  hash: z.string(),
  prevHash: z.string(),
});

export const eventsPageSchema = z.object({ stream: z.string(), events: z.array(recordedEventSchema), next: z.number().int().nullable() });

export const replayedStateSchema = z.object({
  stream: z.string(),
  version: z.number().int(),
  machineId: z.string(),
  machineVersion: z.string(),
  state: z.record(z.string(), z.unknown()),
  replayed: z.literal(true),
});

const problemSchema = z.object({ stream: z.string(), version: z.number().int(), reason: z.string() });
export const auditReportSchema = z.object({
  streams: z.number().int(),
  events: z.number().int(),
  chainProblems: z.array(problemSchema),
  replayProblems: z.array(problemSchema.extend({ machineVersion: z.string() })),
  unknownStreams: z.array(z.string()),
  ok: z.boolean(),
});
