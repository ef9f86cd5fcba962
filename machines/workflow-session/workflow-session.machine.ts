// An isolated workflow session: one browser context and one folder of its own, for a client
// that runs several multi-step workflows side by side. Opened at creation, reset on request
// (fresh context, empty folder), closed on delete or after `idleMs` without use (a durable
// timer, so an abandoned workflow is closed after our own restart too). The stream's first
// event (`actor.started`, with the input) is the "created" fact; the machine starts opening.
// Pure: effects and timers are named actions the host runs after the append.
import type { MachineDefinition } from '@engine/core';
import { assign, setup } from 'xstate';
import type { WorkflowCloseReason, WorkflowSessionEffect, WorkflowSessionEffectParams } from './workflow-session.effects';
import type { WorkflowFileKind, WorkflowSessionEvent } from './workflow-session.events';
import { isSafeFileName, isWorkflowId } from './workflow-session.names';

/** An unused workflow is closed after this long unless configured otherwise. */
export const DEFAULT_WORKFLOW_IDLE_MS = 30 * 60_000;

export interface WorkflowSessionInput {
  sid: string;
  idleMs: number;
  /** ISO creation time (the runtime's Clock). */
  at: string;
}

export interface WorkflowFile {
  name: string;
  size: number;
  uploadedAt: string;
  /** Absent for uploads (version 1 recorded none); `download` or `screenshot` otherwise. */
  kind?: Exclude<WorkflowFileKind, 'upload'>;
}

export interface WorkflowSessionContext {
  sid: string;
  idleMs: number;
  createdAt: string;
  /** Creation, or the last touch, upload or reset: what the idle expiry counts from. */
  lastUsedAt: string;
  /** Names and sizes only; the bytes live in the workflow's folder. */
  files: WorkflowFile[];
  /** Contexts opened again after they were lost (restart, browser crash): their cookies are gone. */
  reopens: number;
  lastReopenReason: string | null;
  closeReason: WorkflowCloseReason | null;
  /** Code of the failure that closed the workflow or happened while closing it. */
  lastFailure: string | null;
}

export function workflowSessionInputProblems(input: WorkflowSessionInput): string[] {
  const problems: string[] = [];
  if (!isWorkflowId(input?.sid)) problems.push('sid must match ^[A-Za-z0-9_-]{1,64}$');
  if (!Number.isInteger(input?.idleMs) || input.idleMs < 1) problems.push('idleMs must be a positive integer');
  if (typeof input?.at !== 'string' || Number.isNaN(Date.parse(input.at))) problems.push('at must be an ISO time');
  return problems;
}

type Args = { context: WorkflowSessionContext; event: WorkflowSessionEvent };
type Effect<K extends WorkflowSessionEffect> = (_: unknown, _params: WorkflowSessionEffectParams[K]) => undefined;
const effect = <K extends WorkflowSessionEffect>(): Effect<K> => () => undefined;

const FILE_KINDS: readonly WorkflowFileKind[] = ['upload', 'download', 'screenshot'];
const eventAt = (event: WorkflowSessionEvent): string | null => ('at' in event ? event.at : null);

/**
 * The idle timer counts from the last use, not from the event that arms it: a context
 * re-opened after a restart must not give an abandoned workflow another full idle period.
 */
function idleDelayMs({ context, event }: Args): number {
  const at = eventAt(event);
  if (at === null) return context.idleMs;
  return Math.max(0, context.idleMs - Math.max(0, Date.parse(at) - Date.parse(context.lastUsedAt)));
}

const armIdleTimer = { type: 'scheduleTimer', params: (args: Args) => ({ name: 'idle', delayMs: idleDelayMs(args) }) } as const;
const cancelIdleTimer = { type: 'cancelTimer', params: { name: 'idle' } } as const;
const closingAs = (reason: WorkflowCloseReason) => ({ type: 'closingAs', params: { reason } }) as const;

export const workflowSessionMachine = setup({
  types: {} as { context: WorkflowSessionContext; events: WorkflowSessionEvent; input: WorkflowSessionInput },
  actions: {
    openWorkflowContext: effect<'openWorkflowContext'>(),
    resetWorkflowContext: effect<'resetWorkflowContext'>(),
    closeWorkflowContext: effect<'closeWorkflowContext'>(),
    scheduleTimer: (_, _params: { name: string; delayMs: number }) => undefined,
    cancelTimer: (_, _params: { name: string }) => undefined,

    markUsed: assign({ lastUsedAt: ({ context, event }) => eventAt(event) ?? context.lastUsedAt }),
    recordUpload: assign({
      files: ({ context, event }) => {
        if (event.type !== 'RECORD_UPLOAD') return context.files;
        const file: WorkflowFile = { name: event.name, size: event.size, uploadedAt: event.at };
        if (event.kind === 'download' || event.kind === 'screenshot') file.kind = event.kind;
        const at = context.files.findIndex((f) => f.name === event.name);
        return at === -1 ? [...context.files, file] : context.files.map((f, i) => (i === at ? file : f));
      },
    }),
    forgetFiles: assign({ files: [] }),
    markReopen: assign(({ context, event }) => (event.type === 'REOPEN' ? { reopens: context.reopens + 1, lastReopenReason: event.reason } : {})),
    recordFailure: assign({ lastFailure: ({ event }) => (event.type === 'EFFECT_FAILED' ? event.error.code : null) }),
    closingAs: assign((_, params: { reason: WorkflowCloseReason }) => ({ closeReason: params.reason })),
  },
  guards: {
    validUpload: ({ event }) =>
      event.type === 'RECORD_UPLOAD' &&
      isSafeFileName(event.name) &&
      Number.isInteger(event.size) &&
      event.size >= 0 &&
      (event.kind === undefined || FILE_KINDS.includes(event.kind)),
    effectIs: ({ event }, params: { effect: WorkflowSessionEffect }) => event.type === 'EFFECT_FAILED' && event.effect === params.effect,
  },
}).createMachine({
  id: 'workflowSession',
  context: ({ input }) => {
    const problems = workflowSessionInputProblems(input);
    if (problems.length > 0) throw new RangeError(`invalid workflow-session input: ${problems.join('; ')}`);
    return {
      sid: input.sid,
      idleMs: input.idleMs,
      createdAt: input.at,
      lastUsedAt: input.at,
      files: [],
      reopens: 0,
      lastReopenReason: null,
      closeReason: null,
      lastFailure: null,
    };
  },
  initial: 'opening',
  states: {
    opening: {
      entry: [cancelIdleTimer, { type: 'openWorkflowContext', params: ({ context }) => ({ sid: context.sid }) }],
      on: {
        CONTEXT_OPENED: 'active',
        EFFECT_FAILED: { guard: { type: 'effectIs', params: { effect: 'openWorkflowContext' } }, target: 'closing', actions: ['recordFailure', closingAs('open_failed')] },
        DELETE: { target: 'closing', actions: closingAs('deleted') },
      },
    },
    active: {
      entry: armIdleTimer,
      on: {
        TOUCH: { actions: ['markUsed', armIdleTimer] },
        RECORD_UPLOAD: { guard: 'validUpload', actions: ['recordUpload', 'markUsed', armIdleTimer] },
        RESET: { target: 'resetting', actions: 'markUsed' },
        REOPEN: { target: 'opening', actions: 'markReopen' },
        DELETE: { target: 'closing', actions: closingAs('deleted') },
        'TIMER.idle': { target: 'closing', actions: closingAs('idle') },
      },
    },
    resetting: {
      entry: [cancelIdleTimer, { type: 'resetWorkflowContext', params: ({ context }) => ({ sid: context.sid }) }],
      on: {
        CONTEXT_RESET: { target: 'active', actions: 'forgetFiles' },
        // A half-done reset cannot promise isolation any more (old cookies or files may remain): close it.
        EFFECT_FAILED: { guard: { type: 'effectIs', params: { effect: 'resetWorkflowContext' } }, target: 'closing', actions: ['recordFailure', closingAs('reset_failed')] },
        DELETE: { target: 'closing', actions: closingAs('deleted') },
      },
    },
    closing: {
      entry: [cancelIdleTimer, { type: 'closeWorkflowContext', params: ({ context }) => ({ sid: context.sid, reason: context.closeReason ?? 'deleted' }) }],
      on: {
        CONTEXT_CLOSED: 'closed',
        // Closing is best effort: the runtime sweeps a folder left behind at its next start.
        EFFECT_FAILED: { guard: { type: 'effectIs', params: { effect: 'closeWorkflowContext' } }, target: 'closed', actions: 'recordFailure' },
      },
    },
    closed: { type: 'final' },
  },
  output: ({ context }) => ({ closeReason: context.closeReason, lastFailure: context.lastFailure }),
});

export const WORKFLOW_SESSION_MACHINE = {
  id: 'workflow-session',
  version: '2',
  streamPrefix: 'workflow-',
  // Version 2 only added to version 1 (workflow-session.versions.spec.ts replays a version-1 log): its streams run on as they are.
  compatibleVersions: ['1'],
  machine: workflowSessionMachine,
} as const satisfies MachineDefinition<typeof workflowSessionMachine, WorkflowSessionEffectParams>;

export type WorkflowSessionDefinition = MachineDefinition<typeof workflowSessionMachine, WorkflowSessionEffectParams>;
