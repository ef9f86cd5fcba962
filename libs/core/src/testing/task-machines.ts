// Two versions of a small job-like machine for the specifications of versioned machines (not
// part of the product): version 1 queues a task, works on it and finishes on DONE { ref };
// version 2 puts a review between DONE and the end, keeps a priority, and reads DONE's payload
// in its schema version 2 ({ result: { ref } }), upcasting the version-1 payload. The migration
// from 1 to 2 maps every in-flight state and gives the context its new field.
import { assign, setup } from 'xstate';
import { defineMigration, type MachineDefinition } from '../host/machine-definition';

export interface TaskInput {
  name: string;
}

export interface TaskContextV1 {
  name: string;
  ref: string | null;
}

export type TaskEventV1 = { type: 'START' } | { type: 'DONE'; ref: string } | { type: 'CANCEL' };

export const taskMachineV1 = setup({
  types: {} as { context: TaskContextV1; events: TaskEventV1; input: TaskInput },
  actions: {
    work: (_, _params: { name: string }) => undefined,
  },
}).createMachine({
  id: 'task',
  context: ({ input }) => ({ name: input.name, ref: null }),
  initial: 'queued',
  states: {
    queued: { on: { START: 'running', CANCEL: 'cancelled' } },
    running: {
      entry: { type: 'work', params: ({ context }) => ({ name: context.name }) },
      on: { DONE: { target: 'done', actions: assign({ ref: ({ event }) => event.ref }) }, CANCEL: 'cancelled' },
    },
    done: { type: 'final' },
    cancelled: { type: 'final' },
  },
});

export const TASK_MACHINE_V1 = {
  id: 'task',
  version: '1',
  streamPrefix: 'task-',
  machine: taskMachineV1,
} as const satisfies MachineDefinition<typeof taskMachineV1>;

export interface TaskContextV2 {
  name: string;
  ref: string | null;
  priority: 'normal' | 'high';
}

export type TaskEventV2 = { type: 'START' } | { type: 'DONE'; result: { ref: string } } | { type: 'APPROVE' } | { type: 'CANCEL' };

export const taskMachineV2 = setup({
  types: {} as { context: TaskContextV2; events: TaskEventV2; input: TaskInput },
  actions: {
    work: (_, _params: { name: string; priority: string }) => undefined,
  },
}).createMachine({
  id: 'task',
  context: ({ input }) => ({ name: input.name, ref: null, priority: 'normal' }),
  initial: 'queued',
  states: {
    queued: { on: { START: 'running', CANCEL: 'cancelled' } },
    running: {
      entry: { type: 'work', params: ({ context }) => ({ name: context.name, priority: context.priority }) },
      on: { DONE: { target: 'reviewing', actions: assign({ ref: ({ event }) => event.result.ref }) }, CANCEL: 'cancelled' },
    },
    reviewing: { on: { APPROVE: 'done' } },
    done: { type: 'final' },
    cancelled: { type: 'final' },
  },
});

/** Every state of version 1 exists in version 2 under the same name (the types check it); the context gains its priority. */
export const TASK_MIGRATION_1_TO_2 = defineMigration(TASK_MACHINE_V1, { version: '2', machine: taskMachineV2 }, ({ value, context }) => ({
  value,
  context: { ...context, priority: 'normal' as const },
}));

/** Version 2 as registered after the upgrade: version 1 still runs the streams not migrated yet. */
export const TASK_MACHINE_V2 = {
  id: 'task',
  version: '2',
  streamPrefix: 'task-',
  machine: taskMachineV2,
  previous: [TASK_MACHINE_V1],
  migrations: [TASK_MIGRATION_1_TO_2],
  eventSchemas: {
    DONE: { version: 2, upcasters: { 1: (payload) => ({ result: { ref: payload.ref } }) } },
  },
} as const satisfies MachineDefinition<typeof taskMachineV2>;
