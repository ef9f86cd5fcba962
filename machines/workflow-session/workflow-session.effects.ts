// The effects a workflow session asks the host to run. The workflow runtime
// (libs/engine/src/workflows) implements them; params name the workflow by its id only.
// All three are idempotent, so the host's default interrupted-policy (`rerun`) is the right one
// after a crash: opening again gives a fresh context, closing again finds nothing to close.

/** Creates the workflow's folder and a fresh browser context for it. Answers CONTEXT_OPENED. */
export interface OpenWorkflowContextParams {
  sid: string;
}

/** Closes the workflow's context, empties its folder, opens a fresh context. Answers CONTEXT_RESET. */
export interface ResetWorkflowContextParams {
  sid: string;
}

/** Closes the workflow's context and removes its folder. Answers CONTEXT_CLOSED. */
export interface CloseWorkflowContextParams {
  sid: string;
  reason: WorkflowCloseReason;
}

/** Why a workflow was closed: deleted through the API, unused for its idle time, or its browser work failed. */
export type WorkflowCloseReason = 'deleted' | 'idle' | 'open_failed' | 'reset_failed';

export interface WorkflowSessionEffectParams {
  openWorkflowContext: OpenWorkflowContextParams;
  resetWorkflowContext: ResetWorkflowContextParams;
  closeWorkflowContext: CloseWorkflowContextParams;
}

export type WorkflowSessionEffect = keyof WorkflowSessionEffectParams;
