// Every machine the engine hosts, by stream prefix.
import type { MachineDefinition } from '@engine/core';
import { HEARTBEAT_MACHINE, JOB_MACHINE, MASTER_SESSION_MACHINE, POOLED_SESSION_MACHINE, WORKFLOW_SESSION_MACHINE } from '@engine/machines';

export const ENGINE_MACHINES: MachineDefinition[] = [HEARTBEAT_MACHINE, JOB_MACHINE, MASTER_SESSION_MACHINE, POOLED_SESSION_MACHINE, WORKFLOW_SESSION_MACHINE];
