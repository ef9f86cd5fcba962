// What the API lists about a workflow, derived from its stream's state (the log is the truth):
// state, age, last use, when it will be closed for idleness, and its files by name, size and kind.
// The schema is the one definition of the shape (type, API docs).
import { z } from 'zod/v4';
import type { StateOf } from '@engine/core';
import type { WorkflowFile, WorkflowSessionDefinition } from '@engine/machines';

export const workflowFileViewSchema = z.object({
  name: z.string(),
  size: z.number().int(),
  kind: z.enum(['upload', 'download', 'screenshot']).describe('sent by the caller, fetched by the page, or a screenshot of it'),
  uploadedAt: z.string().describe('when it was stored'),
});
export type WorkflowFileView = z.infer<typeof workflowFileViewSchema>;

/** A recorded file as the API lists it; version-1 records carry no kind: they are uploads. */
export function workflowFileView(file: WorkflowFile): WorkflowFileView {
  return { name: file.name, size: file.size, kind: file.kind ?? 'upload', uploadedAt: file.uploadedAt };
}

export const workflowViewSchema = z.object({
  sid: z.string(),
  state: z.string().describe('opening, active, resetting, closing or closed'),
  createdAt: z.string(),
  lastUsedAt: z.string(),
  ageMs: z.number(),
  idleForMs: z.number(),
  idleExpiresAt: z.string().nullable().describe('when the idle timer closes it unless it is used before; null while no timer runs'),
  files: z.array(workflowFileViewSchema),
  reopens: z.number().int().describe('contexts opened again after a restart or a browser crash (their cookies were lost)'),
});
export type WorkflowView = z.infer<typeof workflowViewSchema>;

export function workflowView(state: StateOf<WorkflowSessionDefinition>, nowMs: number): WorkflowView {
  const context = state.context;
  const idle = state.timers.idle;
  return {
    sid: context.sid,
    state: String(state.value),
    createdAt: context.createdAt,
    lastUsedAt: context.lastUsedAt,
    ageMs: Math.max(0, nowMs - Date.parse(context.createdAt)),
    idleForMs: Math.max(0, nowMs - Date.parse(context.lastUsedAt)),
    idleExpiresAt: idle ? new Date(idle.dueAt).toISOString() : null,
    files: context.files.map(workflowFileView),
    reopens: context.reopens,
  };
}
