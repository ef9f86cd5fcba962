import { z } from 'zod/v4';

export const portalIdSchema = z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'a portal id');

/** A master session: a portal id (its only or first account), or `<portal>.<account>` for another account. */
export const sessionIdSchema = z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}(?:\.[a-z0-9](?:[a-z0-9-]{0,30}[a-z0-9])?)?$/, 'a portal id, or <portal>.<account>');

/** Optional body of POST /recover: force a level (soft, hard, nuclear) instead of the default (a failure report, or a reset). */
export const recoverSchema = z.object({ level: z.enum(['soft', 'hard', 'nuclear']).optional() }).strict();

const challengeIdSchema = z.string().regex(/^[A-Za-z0-9_-]{1,128}$/);
export const accountIdSchema = z.string().regex(/^[a-z0-9](?:[a-z0-9-]{0,30}[a-z0-9])?$/, 'an account id');

/**
 * An answer. `account` or `challengeId` picks the session when the path names a portal whose
 * accounts wait on several challenges (without either, that is a 409 listing them).
 */
export const captchaAnswerSchema = z
  .object({
    challengeId: challengeIdSchema.optional(),
    account: accountIdSchema.optional(),
    answer: z.string().min(1).max(64),
  })
  .strict();

/** Query of GET .../captcha: which account's challenge, when the path names a portal with several waiting. */
export const captchaQuerySchema = z.object({ challengeId: challengeIdSchema.optional(), account: accountIdSchema.optional() }).strict();
