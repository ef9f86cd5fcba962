// A keep-alive session of the pool: one logged-in portal session, keyed by the hash of its
// credentials, leased to one holder at a time and refreshed on a durable timer so the portal
// does not end it for idleness. A refresh never runs under a holder: when the timer fires
// during a lease the refresh is marked due and runs right after the release. A holder that
// crashed never releases; its lease-expiry timer (durable, so it survives our own crash too)
// frees the session, and the refresh that follows puts the page back into a known state.
// Pure: effects and timers are named actions the host runs after the append.
import type { MachineDefinition } from '@engine/core';
import { and, assign, setup } from 'xstate';
import type { PooledSessionCloseReason, PooledSessionEffect, PooledSessionEffectParams } from './pooled-session.effects';
import type { PooledSessionEvent } from './pooled-session.events';

export interface PooledSessionInput {
  /** sha256 hex of the credentials' canonical form (computed by the pool runtime, never here). */
  key: string;
  portal: string;
  /** Keep-alive refresh interval; 60 s by default in the runtime's config. */
  refreshMs: number;
}

export interface PooledSessionLease {
  leaseId: string;
  /** ISO time at which the lease-expiry timer frees the session. */
  expiresAt: string;
}

export interface PooledSessionContext extends PooledSessionInput {
  lease: PooledSessionLease | null;
  /** The refresh timer fired during a lease: refresh right after the release. */
  refreshDue: boolean;
  refreshes: number;
  leases: number;
  expiredLeases: number;
  /** Set while the refresh that follows an expired lease runs: the runtime stops that holder. */
  expiredLeaseId: string | null;
  openedAt: string | null;
  /** Last lease or release time: what least-recently-used eviction orders by. */
  lastUsedAt: string | null;
  closeReason: PooledSessionCloseReason | null;
  /** Code of the last open or refresh failure. */
  lastFailure: string | null;
}

/** The key is a hash; anything else (a username, an e-mail) is refused, so credentials cannot reach the log. */
const KEY_PATTERN = /^[0-9a-f]{64}$/;

export function pooledSessionInputProblems(input: PooledSessionInput): string[] {
  const problems: string[] = [];
  if (typeof input?.key !== 'string' || !KEY_PATTERN.test(input.key)) problems.push('key must be a sha256 hex digest');
  if (typeof input?.portal !== 'string' || input.portal.length === 0) problems.push('portal must be a non-empty string');
  if (!Number.isInteger(input?.refreshMs) || input.refreshMs < 1) problems.push('refreshMs must be a positive integer');
  return problems;
}

type Args = { context: PooledSessionContext; event: PooledSessionEvent };
type Effect<K extends PooledSessionEffect> = (_: unknown, _params: PooledSessionEffectParams[K]) => undefined;
const effect = <K extends PooledSessionEffect>(): Effect<K> => () => undefined;

const refreshTimer = { type: 'scheduleTimer', params: ({ context }: Args) => ({ name: 'refresh', delayMs: context.refreshMs }) } as const;
/** How long a lease lasts, from the times its event states; NaN when they are not ISO times. */
const leaseMs = (event: PooledSessionEvent): number => (event.type === 'LEASE' ? Date.parse(event.expiresAt) - Date.parse(event.at) : NaN);
const cancelLeaseTimer = { type: 'cancelTimer', params: { name: 'leaseExpiry' } } as const;
const closingAs = (reason: PooledSessionCloseReason) => ({ type: 'closingAs', params: { reason } }) as const;
const failureCode = (event: PooledSessionEvent): string | null =>
  event.type === 'OPEN_FAILED' || event.type === 'REFRESH_FAILED' ? event.reason : event.type === 'EFFECT_FAILED' ? event.error.code : null;

/** Out of `closing`, the session rests in the state named by why it was closed. */
const CLOSED_AS_REASON = [
  { guard: { type: 'closedAs', params: { reason: 'expired' } }, target: 'expired' },
  { guard: { type: 'closedAs', params: { reason: 'evicted' } }, target: 'evicted' },
  { guard: { type: 'closedAs', params: { reason: 'failed' } }, target: 'failed' },
  { target: 'closed' },
] as const;

export const pooledSessionMachine = setup({
  types: {} as { context: PooledSessionContext; events: PooledSessionEvent; input: PooledSessionInput },
  actions: {
    openSession: effect<'openSession'>(),
    refreshSession: effect<'refreshSession'>(),
    closeSession: effect<'closeSession'>(),
    scheduleTimer: (_, _params: { name: string; delayMs: number }) => undefined,
    cancelTimer: (_, _params: { name: string }) => undefined,

    markOpened: assign({ openedAt: ({ event }) => (event.type === 'SESSION_OPENED' ? event.at : null), closeReason: null, lastFailure: null }),
    takeLease: assign(({ context, event }) =>
      event.type === 'LEASE' ? { lease: { leaseId: event.leaseId, expiresAt: event.expiresAt }, leases: context.leases + 1, lastUsedAt: event.at } : {},
    ),
    endLease: assign({ lease: null, lastUsedAt: ({ context, event }) => (event.type === 'RELEASE' ? event.at : context.lastUsedAt) }),
    expireLease: assign(({ context }) => ({ lease: null, expiredLeases: context.expiredLeases + 1, expiredLeaseId: context.lease?.leaseId ?? null })),
    markRefreshDue: assign({ refreshDue: true }),
    markRefreshed: assign(({ context }) => ({ refreshes: context.refreshes + 1, refreshDue: false, expiredLeaseId: null })),
    recordFailure: assign({ lastFailure: ({ event }) => failureCode(event) }),
    closingAs: assign((_, params: { reason: PooledSessionCloseReason }) => ({ closeReason: params.reason, refreshDue: false, expiredLeaseId: null })),
  },
  guards: {
    /** A lease that is over before it starts (or has unreadable times) is refused. */
    leaseEndsLater: ({ event }) => leaseMs(event) > 0,
    currentLease: ({ context, event }) => event.type === 'RELEASE' && context.lease?.leaseId === event.leaseId,
    refreshDue: ({ context }) => context.refreshDue,
    effectIs: ({ event }, params: { effect: PooledSessionEffect }) => event.type === 'EFFECT_FAILED' && event.effect === params.effect,
    closedAs: ({ context }, params: { reason: PooledSessionCloseReason }) => context.closeReason === params.reason,
  },
}).createMachine({
  id: 'pooledSession',
  context: ({ input }) => {
    const problems = pooledSessionInputProblems(input);
    if (problems.length > 0) throw new RangeError(`invalid pooled-session input: ${problems.join('; ')}`);
    return {
      key: input.key,
      portal: input.portal,
      refreshMs: input.refreshMs,
      lease: null,
      refreshDue: false,
      refreshes: 0,
      leases: 0,
      expiredLeases: 0,
      expiredLeaseId: null,
      openedAt: null,
      lastUsedAt: null,
      closeReason: null,
      lastFailure: null,
    };
  },
  initial: 'opening',
  states: {
    opening: {
      entry: { type: 'openSession', params: ({ context }) => ({ key: context.key, portal: context.portal }) },
      on: {
        SESSION_OPENED: { target: 'idle', actions: ['markOpened', refreshTimer] },
        OPEN_FAILED: { target: 'closing', actions: ['recordFailure', closingAs('failed')] },
        EFFECT_FAILED: { guard: { type: 'effectIs', params: { effect: 'openSession' } }, target: 'closing', actions: ['recordFailure', closingAs('failed')] },
      },
    },
    idle: {
      on: {
        LEASE: {
          guard: 'leaseEndsLater',
          target: 'leased',
          actions: ['takeLease', { type: 'scheduleTimer', params: ({ event }) => ({ name: 'leaseExpiry', delayMs: leaseMs(event) }) }],
        },
        'TIMER.refresh': 'refreshing',
        EVICT: { target: 'closing', actions: closingAs('evicted') },
        CLOSE: { target: 'closing', actions: closingAs('closed') },
      },
    },
    leased: {
      on: {
        RELEASE: [
          { guard: and(['currentLease', 'refreshDue']), target: 'refreshing', actions: ['endLease', cancelLeaseTimer] },
          { guard: 'currentLease', target: 'idle', actions: ['endLease', cancelLeaseTimer] },
        ],
        // Never under a holder: remember it and refresh right after the release.
        'TIMER.refresh': { actions: 'markRefreshDue' },
        'TIMER.leaseExpiry': { target: 'refreshing', actions: 'expireLease' },
        CLOSE: { target: 'closing', actions: [cancelLeaseTimer, 'endLease', closingAs('closed')] },
      },
    },
    refreshing: {
      entry: {
        type: 'refreshSession',
        params: ({ context }) => ({ key: context.key, refresh: context.refreshes + 1, expiredLeaseId: context.expiredLeaseId }),
      },
      on: {
        REFRESHED: { target: 'idle', actions: ['markRefreshed', refreshTimer] },
        REFRESH_FAILED: { target: 'closing', actions: ['recordFailure', closingAs('expired')] },
        EFFECT_FAILED: { guard: { type: 'effectIs', params: { effect: 'refreshSession' } }, target: 'closing', actions: ['recordFailure', closingAs('expired')] },
      },
    },
    closing: {
      entry: [
        { type: 'cancelTimer', params: { name: 'refresh' } },
        { type: 'closeSession', params: ({ context }) => ({ key: context.key, reason: context.closeReason ?? 'closed' }) },
      ],
      on: {
        SESSION_CLOSED: CLOSED_AS_REASON,
        // Closing is best effort: a browser that will not close is gone for the pool anyway.
        EFFECT_FAILED: CLOSED_AS_REASON,
      },
    },
    expired: { on: { REOPEN: 'opening' } },
    evicted: { on: { REOPEN: 'opening' } },
    closed: { on: { REOPEN: 'opening' } },
    failed: { on: { REOPEN: 'opening' } },
  },
});

export const POOLED_SESSION_MACHINE = {
  id: 'pooled-session',
  version: '1',
  streamPrefix: 'pool-',
  machine: pooledSessionMachine,
} as const satisfies MachineDefinition<typeof pooledSessionMachine, PooledSessionEffectParams>;

export type PooledSessionDefinition = MachineDefinition<typeof pooledSessionMachine, PooledSessionEffectParams>;
