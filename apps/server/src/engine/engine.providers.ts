// The engine as Nest providers: its facades (jobs, sessions, workflows, leases, audit, callbacks, queues) and its read
// feed, each under its own class, plus the ports the server itself uses (store for /health,
// logger, clock). Controllers inject the one facade they need; nothing injects the whole engine.
// Everything here is built by createEngine (libs/engine), so the server, the chaos test and the
// benchmarks run exactly the same composition.
import type { ValueProvider } from '@nestjs/common';
import { StateFeed } from '@engine/core';
import { AuditApi, CallbacksApi, JobsApi, PortalQueuesApi, SessionLeases, SessionsApi, WorkflowSessions, type Engine } from '@engine/engine';
import { CLOCK, EVENT_STORE, LOGGER } from '../common/tokens';

export function engineProviders(engine: Engine): ValueProvider[] {
  return [
    { provide: JobsApi, useValue: engine.jobs },
    { provide: SessionsApi, useValue: engine.sessions },
    { provide: WorkflowSessions, useValue: engine.workflows },
    { provide: SessionLeases, useValue: engine.leases },
    { provide: AuditApi, useValue: engine.audit },
    { provide: CallbacksApi, useValue: engine.callbacks },
    { provide: PortalQueuesApi, useValue: engine.queues },
    { provide: StateFeed, useValue: engine.feed },
    { provide: EVENT_STORE, useValue: engine.store },
    { provide: CLOCK, useValue: engine.clock },
    { provide: LOGGER, useValue: engine.logger },
  ];
}
