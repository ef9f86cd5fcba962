// A small machine for the host's own specifications (not part of the product): it probes one
// target on a durable timer and declares it dead after `maxMisses` failed probes in a row —
// effects, outcomes, timers, finals and output, everything the engine loop handles, in 60 lines.
import { assign, setup } from 'xstate';

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


export interface ProbeSucceeded {
  type: 'PROBE_OK';
  at: string;
  elapsedMs: number;
}

export interface ProbeFailed {
  type: 'PROBE_FAILED';
  at: string;
  reason: string;
}

/** Reported by the host when the probe effect threw instead of answering. */
export interface ProbeEffectFailed {
  type: 'EFFECT_FAILED';
  effect: string;
  error: { code: string; message: string };
}

export type HeartbeatEvent = ProbeSucceeded | ProbeFailed | ProbeEffectFailed | { type: 'TIMER.next' } | { type: 'STOP' };
