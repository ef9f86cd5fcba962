// Events of the workflow-session machine: commands from the workflow runtime (the API's
// calls), the outcomes of its effects, and the idle timer. File content never enters an
// event: an upload is recorded by name and size once its bytes are on disk.

// ── Commands ────────────────────────────────────────────────────────────────────────────

/** A caller used the workflow (drove its page). Every command carries the runtime Clock's ISO time. */
export type WorkflowTouched = { type: 'TOUCH'; at: string };

/** How a file came into the workflow's folder: sent by the caller, fetched by its page, or a screenshot of it. */
export type WorkflowFileKind = 'upload' | 'download' | 'screenshot';

/**
 * A file was written into the workflow's folder; record it (a second file of a name replaces it).
 * `kind` is absent for uploads (every version-1 event) and set for downloads and screenshots.
 */
export type WorkflowUploadRecorded = { type: 'RECORD_UPLOAD'; name: string; size: number; kind?: WorkflowFileKind; at: string };

/** Start over: a new empty browser context and an empty folder. */
export type WorkflowResetRequested = { type: 'RESET'; at: string };

/** Close the context and remove the folder for good. */
export type WorkflowDeleteRequested = { type: 'DELETE'; at: string };

/**
 * The workflow's browser context is gone without us closing it: the engine restarted (contexts
 * die with their process) or the worker browser crashed. Open a fresh one; the folder stays.
 */
export type WorkflowContextLost = { type: 'REOPEN'; reason: 'engine_restarted' | 'browser_crashed'; at: string };

// ── Effect outcomes ─────────────────────────────────────────────────────────────────────

export type WorkflowContextOpened = { type: 'CONTEXT_OPENED'; at: string };
export type WorkflowContextReset = { type: 'CONTEXT_RESET'; at: string };
export type WorkflowContextClosed = { type: 'CONTEXT_CLOSED' };

/** Reported by the host when an effect handler threw instead of answering. */
export type WorkflowEffectFailed = {
  type: 'EFFECT_FAILED';
  effect: string;
  effectId: string;
  params: unknown;
  error: { code: string; message: string };
};

// ── Durable timer ───────────────────────────────────────────────────────────────────────

export type WorkflowIdleExpired = { type: 'TIMER.idle' };

export type WorkflowSessionCommand = WorkflowTouched | WorkflowUploadRecorded | WorkflowResetRequested | WorkflowDeleteRequested | WorkflowContextLost;

export type WorkflowSessionOutcome = WorkflowContextOpened | WorkflowContextReset | WorkflowContextClosed | WorkflowEffectFailed;

export type WorkflowSessionEvent = WorkflowSessionCommand | WorkflowSessionOutcome | WorkflowIdleExpired;
