// What the API lists about a workflow, derived from its stream's state (the log is the truth):
// state, age, last use, when it will be closed for idleness, and its files by name and size.
import type { ActorState } from '@engine/core';
import type { WorkflowFile, WorkflowSessionContext } from '@engine/machines';

export interface WorkflowView {
  sid: string;
  /** opening, active, resetting, closing or closed. */
  state: string;
  createdAt: string;
  lastUsedAt: string;
  ageMs: number;
  idleForMs: number;
  /** When the idle timer closes it unless it is used before; null while no timer runs. */
  idleExpiresAt: string | null;
  files: WorkflowFile[];
  /** Contexts opened again after a restart or a browser crash (their cookies were lost). */
  reopens: number;
}

export function workflowView(state: ActorState, nowMs: number): WorkflowView {
  const context = state.context as WorkflowSessionContext;
  const idle = state.timers.idle;
  return {
    sid: context.sid,
    state: String(state.value),
    createdAt: context.createdAt,
    lastUsedAt: context.lastUsedAt,
    ageMs: Math.max(0, nowMs - Date.parse(context.createdAt)),
    idleForMs: Math.max(0, nowMs - Date.parse(context.lastUsedAt)),
    idleExpiresAt: idle ? new Date(idle.dueAt).toISOString() : null,
    files: context.files,
    reopens: context.reopens,
  };
}
