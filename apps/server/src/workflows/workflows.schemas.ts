// Payload schemas of the workflow endpoints. The sid and file-name rules are the machine's own
// allow-lists (machines/workflow-session), so the API, the runtime and the log agree.
import { z } from 'zod/v4';
import { FILE_NAME_PATTERN, WORKFLOW_ID_PATTERN, isSafeFileName } from '@engine/machines';

export const workflowIdSchema = z.string().max(64).regex(WORKFLOW_ID_PATTERN, `must match ${WORKFLOW_ID_PATTERN.source}`);

export const createWorkflowSchema = z.object({ sid: workflowIdSchema.optional() }).strict();

/** Commands without parameters take no body but `{}`. */
export const emptyBodySchema = z.object({}).strict();

export const emptyQuerySchema = z.object({}).strict();

export const fileNameSchema = z
  .string()
  .max(128)
  .refine(isSafeFileName, `must match ${FILE_NAME_PATTERN.source} and not contain ..`);

export const uploadQuerySchema = z.object({ name: fileNameSchema }).strict();

/**
 * The shape of a steps request, for the API docs. The steps themselves are checked by the
 * declarative portal vocabulary's own schema (libs/portals scripted-steps), whose rules depend on
 * the values sent (a `from` must name one of them): see docs/declarative-portals.md for the actions.
 */
export const stepsRequestSchema = z.object({
  origin: z.string().optional().describe('http(s) origin relative goto URLs point to; default: the page\'s current origin'),
  values: z.record(z.string(), z.unknown()).optional().describe('what `from` and `${payload.…}` read'),
  credentialsRef: z.string().optional().describe('a secret reference; its username and password fill `${credentials.username}` and `${credentials.password}` and are never answered'),
  timeoutMs: z.number().int().min(1_000).max(300_000).optional(),
  steps: z
    .array(
      z.object({
        name: z.string(),
        expectUrl: z.string().optional(),
        actions: z.array(z.record(z.string(), z.unknown())).describe('goto, fill, select, check, upload, click, waitFor: as in a declarative portal'),
        rejected: z.record(z.string(), z.unknown()).optional(),
        extract: z.record(z.string(), z.object({ selector: z.string(), attribute: z.string().optional(), pattern: z.string().optional() })).optional(),
      }),
    )
    .min(1)
    .max(50),
});

export const stepsResultSchema = z.object({
  sid: z.string(),
  steps: z.array(z.object({ index: z.number().int(), name: z.string(), page: z.string().describe('path and query the step ended on'), extracted: z.record(z.string(), z.string()) })),
});
