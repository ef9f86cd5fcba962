// Request schemas of the portal-queue routes (strict: unknown fields are refused).
import { z } from 'zod/v4';
import { QUEUE_REASON_MAX } from '@engine/machines';

export { portalIdSchema } from '../sessions/sessions.schemas';

export const pauseQueueSchema = z.object({ reason: z.string().min(1).max(QUEUE_REASON_MAX).optional() }).strict();
export const resumeQueueSchema = z.object({}).strict();
