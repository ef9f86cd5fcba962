// A portal's job queue as an operator controls it: running (the scheduler starts its jobs as
// its master session allows) or paused (none is started; the ones running finish). The stream
// `queue-<portal>` is created at the first pause; a portal without one runs. Pure: no effects,
// only who paused it, when and why, and who resumed it.
import type { MachineDefinition } from '@engine/core';
import { assign, setup, type SnapshotFrom } from 'xstate';
import { tagReader } from '../state-tags';
import type { PortalQueueEvent } from './portal-queue.events';

export interface PortalQueueInput {
  portal: string;
}

export interface PortalQueueContext {
  portal: string;
  /** Who paused the queue, when and why, while it is paused; null while it runs. */
  pausedBy: string | null;
  pausedAt: string | null;
  reason: string | null;
  /** Who resumed it last, and when. */
  resumedBy: string | null;
  resumedAt: string | null;
  pauses: number;
}

/** `paused`: the scheduler starts none of the portal's jobs. */
export type PortalQueueTag = 'paused';

/** A reason is recorded in the log and shown to every operator: short, plain text. */
export const QUEUE_REASON_MAX = 200;

export const portalQueueMachine = setup({
  types: {} as { context: PortalQueueContext; events: PortalQueueEvent; input: PortalQueueInput; tags: PortalQueueTag },
  actions: {
    recordPause: assign(({ context, event }) =>
      event.type === 'PAUSE'
        ? { pausedBy: event.by, pausedAt: event.at, reason: event.reason === undefined ? null : String(event.reason).slice(0, QUEUE_REASON_MAX), pauses: context.pauses + 1 }
        : {},
    ),
    recordResume: assign(({ event }) => (event.type === 'RESUME' ? { pausedBy: null, pausedAt: null, reason: null, resumedBy: event.by, resumedAt: event.at } : {})),
  },
}).createMachine({
  id: 'portalQueue',
  context: ({ input }) => ({ portal: input.portal, pausedBy: null, pausedAt: null, reason: null, resumedBy: null, resumedAt: null, pauses: 0 }),
  initial: 'running',
  states: {
    running: {
      on: { PAUSE: { target: 'paused', actions: 'recordPause' } },
    },
    paused: {
      tags: 'paused',
      on: { RESUME: { target: 'running', actions: 'recordResume' } },
    },
  },
});

/** Why the queue refuses an operator's command, in words an operator can act on. */
export function portalQueueRefusal(snapshot: SnapshotFrom<typeof portalQueueMachine>, event: PortalQueueEvent): string | undefined {
  const c = snapshot.context;
  if (event.type === 'PAUSE') return `the queue of portal ${c.portal} is already paused (by ${c.pausedBy ?? 'unknown'} since ${c.pausedAt ?? 'unknown'})`;
  if (event.type === 'RESUME') return `the queue of portal ${c.portal} is not paused`;
  return undefined;
}

export const PORTAL_QUEUE_MACHINE = {
  id: 'portal-queue',
  version: '1',
  streamPrefix: 'queue-',
  machine: portalQueueMachine,
  refusal: portalQueueRefusal,
} as const satisfies MachineDefinition<typeof portalQueueMachine>;

export type PortalQueueDefinition = MachineDefinition<typeof portalQueueMachine>;

const hasTag = tagReader<PortalQueueTag>(portalQueueMachine);

/** Whether a stored queue state is paused (its tag, from the definition: no state names elsewhere). A portal without a queue stream runs. */
export function isQueuePaused(state: { value: unknown } | null | undefined): boolean {
  return state !== null && state !== undefined && hasTag(state.value, 'paused');
}
