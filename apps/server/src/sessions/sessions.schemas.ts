import { z } from 'zod/v4';

export const portalIdSchema = z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'a portal id');

export const captchaAnswerSchema = z
  .object({
    challengeId: z.string().regex(/^[A-Za-z0-9_-]{1,128}$/).optional(),
    answer: z.string().min(1).max(64),
  })
  .strict();
