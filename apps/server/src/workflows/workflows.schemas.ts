// Payload schemas of the workflow endpoints. The sid and file-name rules are the machine's own
// allow-lists (machines/workflow-session), so the API, the runtime and the log agree.
import { z } from 'zod/v4';
import { FILE_NAME_PATTERN, WORKFLOW_ID_PATTERN, isSafeFileName } from '@engine/machines';

export const workflowIdSchema = z.string().max(64).regex(WORKFLOW_ID_PATTERN, `must match ${WORKFLOW_ID_PATTERN.source}`);

export const createWorkflowSchema = z.object({ sid: workflowIdSchema.optional() }).strict();

/** Commands without parameters take no body but `{}`. */
export const emptyBodySchema = z.object({}).strict();

export const emptyQuerySchema = z.object({}).strict();

export const uploadQuerySchema = z
  .object({
    name: z
      .string()
      .max(128)
      .refine(isSafeFileName, `must match ${FILE_NAME_PATTERN.source} and not contain ..`),
  })
  .strict();
