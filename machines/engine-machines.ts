// Every machine the engine hosts, by stream prefix: the one list the server, the CLI and the
// audit tools register, so they all replay the same definitions.
import type { AnyMachineDefinition } from '@engine/core';
import { CALLBACK_MACHINE } from './callback/callback.machine';
import { JOB_MACHINE } from './job/job.machine';
import { MASTER_SESSION_MACHINE } from './master-session/master-session.machine';
import { PORTAL_QUEUE_MACHINE } from './portal-queue/portal-queue.machine';
import { SESSION_LEASE_MACHINE } from './session-lease/session-lease.machine';
import { WORKFLOW_SESSION_MACHINE } from './workflow-session/workflow-session.machine';

export const ENGINE_MACHINES: readonly AnyMachineDefinition[] = [JOB_MACHINE, MASTER_SESSION_MACHINE, WORKFLOW_SESSION_MACHINE, CALLBACK_MACHINE, PORTAL_QUEUE_MACHINE, SESSION_LEASE_MACHINE];
