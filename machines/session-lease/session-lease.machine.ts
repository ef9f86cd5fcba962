// A session lease: an external script (a person's Playwright script, a one-off export) borrows a
// portal's logged-in session for a while without touching the engine's jobs. Opening copies the
// master session into an isolated browser of its own (mode `devtools`: the script gets that
// browser's DevTools endpoint, never the master's) or reads the session's cookies (mode
// `cookies`). It ends when given back (RELEASE), when its ttl runs out (a durable timer armed at
// creation, so a restart does not extend it), or when what it handed out is lost (a restart, a
// crashed browser); every ending closes what opening opened. The stream's first event
// (`actor.started`, with the input) is the "leased" fact: who, when, which portal, ttl, mode.
// Pure: effects and timers are named actions the host runs after the append.
import type { MachineDefinition } from '@engine/core';
import { assign, setup } from 'xstate';
import type { LeaseEndReason, LeaseMode, SessionLeaseEffect, SessionLeaseEffectParams } from './session-lease.effects';
import type { SessionLeaseEvent } from './session-lease.events';

export const MIN_LEASE_TTL_MS = 1_000;
export const MAX_LEASE_TTL_MS = 60 * 60_000;
export const DEFAULT_LEASE_TTL_MS = 5 * 60_000;
export const LEASE_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
export const LEASE_MODES: readonly LeaseMode[] = ['devtools', 'cookies'];

export interface SessionLeaseInput {
  leaseId: string;
  portal: string;
  mode: LeaseMode;
  ttlMs: number;
  /** Who asked for it (the API's actor). */
  by: string;
  /** ISO creation time (the runtime's Clock). */
  at: string;
}

export interface SessionLeaseContext {
  leaseId: string;
  portal: string;
  mode: LeaseMode;
  ttlMs: number;
  by: string;
  createdAt: string;
  /** createdAt + ttlMs: when the lease ends by itself. */
  expiresAt: string;
  openedAt: string | null;
  endReason: LeaseEndReason | null;
  /** Who gave it back (RELEASE), or the cause of a loss. */
  endedBy: string | null;
  closedAt: string | null;
  /** Code of the failure that ended the lease or happened while closing it. */
  lastFailure: string | null;
}

/** `live`: opening or active — it holds (or is about to hold) a copy of the session. */
export type SessionLeaseTag = 'live';

export function sessionLeaseInputProblems(input: SessionLeaseInput): string[] {
  const problems: string[] = [];
  if (typeof input?.leaseId !== 'string' || !LEASE_ID_PATTERN.test(input.leaseId)) problems.push(`leaseId must match ${LEASE_ID_PATTERN.source}`);
  if (typeof input?.portal !== 'string' || input.portal.length === 0) problems.push('portal is required');
  if (!LEASE_MODES.includes(input?.mode)) problems.push(`mode must be one of ${LEASE_MODES.join(', ')}`);
  if (!Number.isInteger(input?.ttlMs) || input.ttlMs < MIN_LEASE_TTL_MS || input.ttlMs > MAX_LEASE_TTL_MS) {
    problems.push(`ttlMs must be an integer from ${MIN_LEASE_TTL_MS} to ${MAX_LEASE_TTL_MS}`);
  }
  if (typeof input?.by !== 'string' || input.by.length === 0) problems.push('by is required');
  if (typeof input?.at !== 'string' || Number.isNaN(Date.parse(input.at))) problems.push('at must be an ISO time');
  return problems;
}

/**
 * Why a lease cannot start now, given the portal's master session (its state's name and whether
 * it is logged in with a live browser), or null. A lease copies a ready session; it never starts
 * or waits for a login.
 */
export function leaseStartRefusal(portal: string, masterState: string, available: boolean): string | null {
  if (masterState === 'absent') return `portal ${portal} has no master session`;
  if (!available) return `the master session of ${portal} is ${masterState}, not ready: a lease copies a logged-in session`;
  return null;
}

type Args = { context: SessionLeaseContext; event: SessionLeaseEvent };
type Effect<K extends SessionLeaseEffect> = (_: unknown, _params: SessionLeaseEffectParams[K]) => undefined;
const effect = <K extends SessionLeaseEffect>(): Effect<K> => () => undefined;

const endingAs = (reason: LeaseEndReason) => ({ type: 'endingAs', params: { reason } }) as const;

export const sessionLeaseMachine = setup({
  types: {} as { context: SessionLeaseContext; events: SessionLeaseEvent; input: SessionLeaseInput; tags: SessionLeaseTag },
  actions: {
    openLease: effect<'openLease'>(),
    closeLease: effect<'closeLease'>(),
    scheduleTimer: (_, _params: { name: string; delayMs: number }) => undefined,
    cancelTimer: (_, _params: { name: string }) => undefined,
    recordOpened: assign({ openedAt: ({ context, event }) => (event.type === 'LEASE_OPENED' ? event.at : context.openedAt) }),
    recordClosed: assign({ closedAt: ({ context, event }) => (event.type === 'LEASE_CLOSED' ? event.at : context.closedAt) }),
    recordFailure: assign({ lastFailure: ({ context, event }) => (event.type === 'EFFECT_FAILED' ? event.error.code : context.lastFailure) }),
    endingAs: assign(({ event }, params: { reason: LeaseEndReason }) => ({
      endReason: params.reason,
      endedBy: event.type === 'RELEASE' ? event.by : event.type === 'LEASE_LOST' ? event.reason : null,
    })),
  },
  guards: {
    effectIs: ({ event }, params: { effect: SessionLeaseEffect }) => event.type === 'EFFECT_FAILED' && event.effect === params.effect,
  },
}).createMachine({
  id: 'sessionLease',
  context: ({ input }) => {
    const problems = sessionLeaseInputProblems(input);
    if (problems.length > 0) throw new RangeError(`invalid session-lease input: ${problems.join('; ')}`);
    return {
      leaseId: input.leaseId,
      portal: input.portal,
      mode: input.mode,
      ttlMs: input.ttlMs,
      by: input.by,
      createdAt: input.at,
      expiresAt: new Date(Date.parse(input.at) + input.ttlMs).toISOString(),
      openedAt: null,
      endReason: null,
      endedBy: null,
      closedAt: null,
      lastFailure: null,
    };
  },
  initial: 'opening',
  states: {
    opening: {
      tags: 'live',
      // The ttl counts from creation (opening is entered once): armed before the copy is made.
      entry: [
        { type: 'scheduleTimer', params: ({ context }: Args) => ({ name: 'expiry', delayMs: context.ttlMs }) },
        { type: 'openLease', params: ({ context }: Args) => ({ leaseId: context.leaseId, portal: context.portal, mode: context.mode }) },
      ],
      on: {
        LEASE_OPENED: { target: 'active', actions: 'recordOpened' },
        EFFECT_FAILED: { guard: { type: 'effectIs', params: { effect: 'openLease' } }, target: 'closing', actions: ['recordFailure', endingAs('open_failed')] },
        RELEASE: { target: 'closing', actions: endingAs('released') },
        LEASE_LOST: { target: 'closing', actions: endingAs('lost') },
        'TIMER.expiry': { target: 'closing', actions: endingAs('expired') },
      },
    },
    active: {
      tags: 'live',
      on: {
        RELEASE: { target: 'closing', actions: endingAs('released') },
        LEASE_LOST: { target: 'closing', actions: endingAs('lost') },
        'TIMER.expiry': { target: 'closing', actions: endingAs('expired') },
      },
    },
    closing: {
      entry: [
        { type: 'cancelTimer', params: { name: 'expiry' } },
        { type: 'closeLease', params: ({ context }: Args) => ({ leaseId: context.leaseId, reason: context.endReason ?? 'released' }) },
      ],
      on: {
        LEASE_CLOSED: { target: 'closed', actions: 'recordClosed' },
        // Closing is best effort: a browser that will not close is killed with the engine's process group.
        EFFECT_FAILED: { guard: { type: 'effectIs', params: { effect: 'closeLease' } }, target: 'closed', actions: 'recordFailure' },
      },
    },
    closed: { type: 'final' },
  },
  output: ({ context }) => ({ endReason: context.endReason, lastFailure: context.lastFailure }),
});

/** Why the lease refuses a command (the API's 409 reason). */
function sessionLeaseRefusal(_snapshot: unknown, event: SessionLeaseEvent): string | undefined {
  if (event.type === 'RELEASE') return 'the lease is already ending';
  if (event.type === 'LEASE_LOST') return 'the lease is already ending';
  return undefined;
}

export const SESSION_LEASE_MACHINE = {
  id: 'session-lease',
  version: '1',
  streamPrefix: 'lease-',
  machine: sessionLeaseMachine,
  refusal: sessionLeaseRefusal,
} as const satisfies MachineDefinition<typeof sessionLeaseMachine, SessionLeaseEffectParams>;

export type SessionLeaseDefinition = MachineDefinition<typeof sessionLeaseMachine, SessionLeaseEffectParams>;
