// Heartbeat: probes one target (a browser session) on a durable timer and declares it dead
// after `maxMisses` failed probes in a row. The first and smallest machine of the engine; the
// health monitor builds on it. Pure: effects are named actions the host implements.
import { assign, setup } from 'xstate';
import type { HeartbeatEvent } from './heartbeat.events';

export interface HeartbeatInput {
  target: string;
  intervalMs: number;
  /** Delay before re-probing after a miss (faster than the interval). */
  retryMs: number;
  maxMisses: number;
}

export interface HeartbeatContext extends HeartbeatInput {
  misses: number;
  probes: number;
  lastOkAt: string | null;
  lastFailure: string | null;
}

export const heartbeatMachine = setup({
  types: {} as { context: HeartbeatContext; events: HeartbeatEvent; input: HeartbeatInput },
  actions: {
    recordMiss: assign({
      misses: ({ context }) => context.misses + 1,
      lastFailure: ({ event }) => (event.type === 'PROBE_FAILED' ? event.reason : event.type === 'EFFECT_FAILED' ? event.error.code : null),
    }),
    probeTarget: (_, _params: { target: string }) => undefined,
    scheduleTimer: (_, _params: { name: string; delayMs: number }) => undefined,
  },
  guards: {
    lastChance: ({ context }) => context.misses + 1 >= context.maxMisses,
  },
}).createMachine({
  id: 'heartbeat',
  context: ({ input }) => ({ ...input, misses: 0, probes: 0, lastOkAt: null, lastFailure: null }),
  initial: 'probing',
  states: {
    probing: {
      entry: [
        assign({ probes: ({ context }) => context.probes + 1 }),
        { type: 'probeTarget', params: ({ context }) => ({ target: context.target }) },
      ],
      on: {
        PROBE_OK: { target: 'healthy', actions: assign({ misses: 0, lastOkAt: ({ event }) => event.at }) },
        PROBE_FAILED: [
          { guard: 'lastChance', target: 'dead', actions: 'recordMiss' },
          { target: 'suspect', actions: 'recordMiss' },
        ],
        EFFECT_FAILED: [
          { guard: 'lastChance', target: 'dead', actions: 'recordMiss' },
          { target: 'suspect', actions: 'recordMiss' },
        ],
      },
    },
    healthy: {
      entry: { type: 'scheduleTimer', params: ({ context }) => ({ name: 'next', delayMs: context.intervalMs }) },
      on: { 'TIMER.next': 'probing', STOP: 'stopped' },
    },
    suspect: {
      entry: { type: 'scheduleTimer', params: ({ context }) => ({ name: 'next', delayMs: context.retryMs }) },
      on: { 'TIMER.next': 'probing', STOP: 'stopped' },
    },
    dead: { type: 'final' },
    stopped: { type: 'final' },
  },
  output: ({ context }) => ({ misses: context.misses, lastFailure: context.lastFailure }),
});

export const HEARTBEAT_MACHINE = {
  id: 'heartbeat',
  version: '1',
  streamPrefix: 'heartbeat-',
  machine: heartbeatMachine,
} as const;
