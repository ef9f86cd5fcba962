// The portal-queues facade: an operator pauses a portal's queue (the scheduler starts none of its
// jobs; the ones running finish) and resumes it. Each command is recorded on `queue-<portal>`
// naming who acted; the stream is created at the first pause. Whether a command is allowed is
// the portal-queue machine's to say (409 with its reason otherwise).
import { z } from 'zod/v4';
import { NotFoundError, VersionConflictError, type ActorHost, type Clock, type StreamState, type StateOf } from '@engine/core';
import { isQueuePaused, PORTAL_QUEUE_MACHINE, type PortalQueueDefinition, type PortalQueueEvent } from '@engine/machines';
import { allowed, assertAcceptsAtStart, refusalAtStart, refusalOf, refused, type AllowedAction } from '../actions/allowed-actions';

export const queueViewSchema = z.object({
  portal: z.string(),
  state: z.enum(['running', 'paused']),
  pausedBy: z.string().nullable(),
  pausedAt: z.string().nullable(),
  reason: z.string().nullable(),
  resumedBy: z.string().nullable(),
  resumedAt: z.string().nullable(),
  /** 0 while the portal's queue was never paused (it has no stream yet). */
  version: z.number().int(),
});
export type QueueView = z.infer<typeof queueViewSchema>;

export interface PortalQueuesApiOptions {
  host: ActorHost;
  clock: Clock;
  /** The configured portals. */
  portals: () => string[];
}

export class PortalQueuesApi {
  constructor(private readonly options: PortalQueuesApiOptions) {}

  get(portal: string): QueueView {
    this.known(portal);
    const entry = this.options.host.feed.getOf(PORTAL_QUEUE_MACHINE, portal);
    return entry ? queueView(entry) : neverPaused(portal);
  }

  /** PAUSE, recorded with who acted; the queue's stream is created at the first pause. */
  async pause(portal: string, by: string, reason?: string): Promise<QueueView> {
    this.known(portal);
    if (!this.options.host.feed.getOf(PORTAL_QUEUE_MACHINE, portal)) {
      try {
        await this.options.host.create(PORTAL_QUEUE_MACHINE, portal, { portal });
      } catch (error) {
        // Another request created it first: the PAUSE below is decided on its state.
        if (!(error instanceof VersionConflictError)) throw error;
      }
    }
    const event: PortalQueueEvent = { type: 'PAUSE', by, at: this.now(), ...(reason === undefined ? {} : { reason }) };
    return queueView(await this.options.host.sendTo(PORTAL_QUEUE_MACHINE, portal, event));
  }

  /** RESUME, recorded with who acted; refused by the machine when the queue is not paused. */
  async resume(portal: string, by: string): Promise<QueueView> {
    this.known(portal);
    const event: PortalQueueEvent = { type: 'RESUME', by, at: this.now() };
    if (!this.options.host.feed.getOf(PORTAL_QUEUE_MACHINE, portal)) {
      // Never paused: asked of the machine's first state, so the refusal is the machine's own; nothing is created.
      assertAcceptsAtStart(PORTAL_QUEUE_MACHINE, `queue-${portal}`, { portal }, event, this.options.clock.now());
    }
    return queueView(await this.options.host.sendTo(PORTAL_QUEUE_MACHINE, portal, event));
  }

  /** Whether PAUSE and RESUME would be accepted now, and why not. */
  async actions(portal: string): Promise<AllowedAction[]> {
    this.known(portal);
    const stream = `queue-${portal}`;
    const at = this.now();
    const pause: PortalQueueEvent = { type: 'PAUSE', by: 'operator', at };
    const resume: PortalQueueEvent = { type: 'RESUME', by: 'operator', at };
    const exists = this.options.host.feed.getOf(PORTAL_QUEUE_MACHINE, portal) !== undefined;
    const ask = (event: PortalQueueEvent) =>
      exists ? refusalOf(this.options.host, stream, event) : Promise.resolve(refusalAtStart(PORTAL_QUEUE_MACHINE, stream, { portal }, event, this.options.clock.now()));
    return Promise.all(
      [['pause', pause] as const, ['resume', resume] as const].map(async ([name, event]) => {
        const reason = await ask(event);
        return reason === null ? allowed(name) : refused(name, reason);
      }),
    );
  }

  /** Whether the portal is configured (only those have a queue). */
  knows(portal: string): boolean {
    return this.options.portals().includes(portal);
  }

  private known(portal: string): void {
    if (!this.knows(portal)) throw new NotFoundError('portal', portal);
  }

  private now(): string {
    return new Date(this.options.clock.now()).toISOString();
  }
}

function neverPaused(portal: string): QueueView {
  return { portal, state: 'running', pausedBy: null, pausedAt: null, reason: null, resumedBy: null, resumedAt: null, version: 0 };
}

export function queueView(entry: StreamState<StateOf<PortalQueueDefinition>>): QueueView {
  const c = entry.state.context;
  return {
    portal: c.portal,
    state: isQueuePaused(entry.state) ? 'paused' : 'running',
    pausedBy: c.pausedBy,
    pausedAt: c.pausedAt,
    reason: c.reason,
    resumedBy: c.resumedBy,
    resumedAt: c.resumedAt,
    version: entry.version,
  };
}
