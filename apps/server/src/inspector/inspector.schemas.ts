// Payload schemas of the inspector API (query strings: everything arrives as text).
import { z } from 'zod/v4';

export const listQuerySchema = z
  .object({
    kind: z.string().regex(/^[a-z][a-z0-9-]{0,31}$/, 'not a kind').optional(),
    state: z.string().regex(/^[A-Za-z0-9_.]{1,200}$/, 'not a state path').optional(),
    status: z.enum(['active', 'done', 'error', 'stopped', 'fact']).optional(),
    text: z.string().max(100).optional(),
    cursor: z.string().regex(/^[A-Za-z0-9_-]{1,400}$/, 'not a cursor').optional(),
    limit: z.coerce.number().int().min(1).max(500).default(50),
  })
  .strict();

export const versionQuerySchema = z.object({ version: z.coerce.number().int().min(1).max(1_000_000_000) }).strict();

/** `collapsed`: compound states to draw as plain boxes, comma-separated state paths. */
export const chartQuerySchema = z
  .object({
    collapsed: z
      .string()
      .max(2000)
      .regex(/^[A-Za-z0-9_.,]*$/, 'not a list of state paths')
      .transform((text) => text.split(',').filter((path) => path !== ''))
      .pipe(z.array(z.string()).max(64))
      .default([]),
  })
  .strict();

/** `related`: one more stream whose events the stream view hears (a master session's portal queue). */
export const liveQuerySchema = z.object({ stream: z.string().optional(), related: z.string().optional() }).strict();

/** A screenshot file name as the artifact store generates it. */
export const screenshotNameSchema = z.string().regex(/^[a-z0-9_-]{1,120}\.png$/, 'not a screenshot name');
