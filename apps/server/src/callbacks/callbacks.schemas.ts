// Request schemas of the callbacks API (zod/v4, strict).
import { z } from 'zod/v4';
import { CALLBACK_STATES } from '@engine/engine';

export const listCallbacksSchema = z.object({ state: z.enum(CALLBACK_STATES).optional() }).strict();
export const callbackJobIdSchema = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'not a job id');
