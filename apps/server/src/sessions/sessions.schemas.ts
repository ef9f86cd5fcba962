import { z } from 'zod/v4';

export const portalIdSchema = z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'a portal id');

/** A master session: a portal id (its only or first account), or `<portal>.<account>` for another account. */
export const sessionIdSchema = z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}(?:\.[a-z0-9](?:[a-z0-9-]{0,30}[a-z0-9])?)?$/, 'a portal id, or <portal>.<account>');

/** Optional body of POST /recover: force a level (soft, hard, nuclear) instead of the default (a failure report, or a reset). */
export const recoverSchema = z.object({ level: z.enum(['soft', 'hard', 'nuclear']).optional() }).strict();

export const captchaAnswerSchema = z
  .object({
    challengeId: z.string().regex(/^[A-Za-z0-9_-]{1,128}$/).optional(),
    answer: z.string().min(1).max(64),
  })
  .strict();
