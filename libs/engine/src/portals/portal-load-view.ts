// What GET /api/portals answers for each portal: the scheduler's load of it and, with adaptive
// concurrency, where its limit stands and its last change (the inspector shows the same).
import { z } from 'zod/v4';

export const portalLoadSchema = z.object({
  portal: z.string(),
  queued: z.number().int().describe('jobs ready to start, whatever holds them'),
  running: z.number().int().describe('attempts in flight'),
  waitingForRate: z.number().int().describe("queued jobs held by the portal's start spacing or per-minute budget"),
  waitingForQuietHours: z.number().int().describe("queued jobs held by the portal's quiet hours"),
  waitingForSession: z.number().int().describe('jobs waiting for the master session to be logged in'),
  concurrencyLimit: z.number().int().nullable().describe("the portal's own concurrency now; null: only the global cap"),
  adaptive: z
    .object({
      floor: z.number().int(),
      ceiling: z.number().int(),
      lastChange: z
        .object({ from: z.number().int(), to: z.number().int(), reason: z.enum(['strained', 'healthy', 'host_pressure']), at: z.string() })
        .nullable()
        .describe('null: unchanged since the start (a restart starts at the ceiling)'),
    })
    .nullable(),
});

export const portalLoadListSchema = z.object({ concurrency: z.number().int().describe('the global cap'), portals: z.array(portalLoadSchema) });
export type PortalLoadList = z.infer<typeof portalLoadListSchema>;
