// A job's completion callback: registered when the job is submitted (so it cannot be lost
// between the job's end and its delivery), handed the job's outcome when the job ends, then
// POSTed until the receiver answers 2xx: retried with exponential backoff and jitter on a
// durable timer, every attempt recorded; after `maxAttempts` it is `undelivered` (listed in the
// API and the inspector) until an operator sends it again. Pure: the delivery is a named effect.
import type { MachineDefinition } from '@engine/core';
import { and, assign, setup } from 'xstate';
import { backoffWithJitterMs } from '../backoff';
import type { CallbackEffect, CallbackEffectParams } from './callback.effects';
import type { CallbackEvent, CallbackPayload } from './callback.events';

export interface CallbackPolicy {
  /** Attempts before the callback is `undelivered` (each resend allows as many again). */
  maxAttempts: number;
  /** The wait after the first failure; doubles per failure up to `maxDelayMs`, jittered into its upper half. */
  minDelayMs: number;
  maxDelayMs: number;
}

/** 12 attempts over about 35 minutes: a receiver down for half an hour loses nothing. */
export const DEFAULT_CALLBACK_POLICY: CallbackPolicy = { maxAttempts: 12, minDelayMs: 1_000, maxDelayMs: 600_000 };

export interface CallbackInput {
  jobId: string;
  url: string;
  /** ISO time of the registration (the job's submission). */
  at: string;
  policy: CallbackPolicy;
}

export interface CallbackFailure {
  attempt: number;
  status: number | null;
  code: string;
  message: string;
  /** When the receiver answered; null when the delivery effect itself failed. */
  at: string | null;
}

export interface CallbackContext {
  jobId: string;
  url: string;
  policy: CallbackPolicy;
  registeredAt: string;
  payload: CallbackPayload | null;
  /** Attempts made so far, across resends. */
  attempts: number;
  /** Attempts made since the job ended or the last resend: what `maxAttempts` limits. */
  roundAttempts: number;
  resends: number;
  lastFailure: CallbackFailure | null;
  deliveredAt: string | null;
  deliveredStatus: number | null;
}

/** `undelivered`: gave up until an operator resends; `retrying`: waiting for the next attempt. */
export type CallbackTag = 'undelivered' | 'retrying';

const URL_MAX = 2048;

/** Why a callback URL is refused (for the API's 400), or null. http(s) only, no credentials in it (it is recorded). */
export function callbackUrlProblem(url: unknown): string | null {
  if (typeof url !== 'string' || url.length === 0) return 'must be an absolute http(s) URL';
  if (url.length > URL_MAX) return `must be at most ${URL_MAX} characters`;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'must be an absolute http(s) URL';
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return 'must use http or https';
  if (parsed.username || parsed.password) return 'must not carry credentials (the URL is recorded in the log); the body is signed instead';
  return null;
}

export function callbackPolicyProblems(policy: CallbackPolicy): string[] {
  const problems: string[] = [];
  if (!Number.isInteger(policy.maxAttempts) || policy.maxAttempts < 1) problems.push('maxAttempts must be a positive integer');
  if (!Number.isInteger(policy.minDelayMs) || policy.minDelayMs < 1) problems.push('minDelayMs must be a positive integer');
  if (!Number.isInteger(policy.maxDelayMs) || policy.maxDelayMs < policy.minDelayMs) problems.push('maxDelayMs must be an integer ≥ minDelayMs');
  return problems;
}

type Args = { context: CallbackContext; event: CallbackEvent };
type Effect<K extends CallbackEffect> = (_: unknown, _params: CallbackEffectParams[K]) => undefined;
const effect = <K extends CallbackEffect>(): Effect<K> => () => undefined;

const retryTimer = ({ context }: Args) => ({
  name: 'retry',
  delayMs: backoffWithJitterMs({ minMs: context.policy.minDelayMs, maxMs: context.policy.maxDelayMs }, context.roundAttempts, context.jobId),
});

function failureOf(context: CallbackContext, event: CallbackEvent): CallbackFailure | null {
  if (event.type === 'DELIVERY_FAILED') return { attempt: context.attempts, status: event.status, code: event.code, message: event.message, at: event.at };
  if (event.type === 'EFFECT_FAILED') return { attempt: context.attempts, status: null, code: event.error.code, message: event.error.message, at: null };
  return context.lastFailure;
}

const failed = [
  { guard: 'attemptsLeft', target: 'waiting', actions: 'recordFailure' },
  { target: 'undelivered', actions: 'recordFailure' },
] as const;

export const callbackMachine = setup({
  types: {} as { context: CallbackContext; events: CallbackEvent; input: CallbackInput; tags: CallbackTag },
  actions: {
    deliverCallback: effect<'deliverCallback'>(),
    scheduleTimer: (_, _params: { name: string; delayMs: number }) => undefined,
    cancelTimer: (_, _params: { name: string }) => undefined,
    holdPayload: assign({ payload: ({ context, event }) => (event.type === 'JOB_FINISHED' ? event.payload : context.payload) }),
    countAttempt: assign({ attempts: ({ context }) => context.attempts + 1, roundAttempts: ({ context }) => context.roundAttempts + 1 }),
    recordFailure: assign({ lastFailure: ({ context, event }) => failureOf(context, event) }),
    recordDelivery: assign(({ event }) => (event.type === 'DELIVERED' ? { deliveredAt: event.at, deliveredStatus: event.status } : {})),
    newRound: assign({ roundAttempts: 0, resends: ({ context }) => context.resends + 1 }),
  },
  guards: {
    attemptsLeft: ({ context }) => context.roundAttempts < context.policy.maxAttempts,
    deliveryThrew: ({ event }) => event.type === 'EFFECT_FAILED' && event.effect === 'deliverCallback',
  },
}).createMachine({
  id: 'callback',
  context: ({ input }) => {
    const problems = [callbackUrlProblem(input.url), ...callbackPolicyProblems(input.policy)].filter((p): p is string => p !== null);
    if (problems.length > 0) throw new RangeError(`invalid callback input: ${problems.join('; ')}`);
    return {
      jobId: input.jobId,
      url: input.url,
      policy: input.policy,
      registeredAt: input.at,
      payload: null,
      attempts: 0,
      roundAttempts: 0,
      resends: 0,
      lastFailure: null,
      deliveredAt: null,
      deliveredStatus: null,
    };
  },
  initial: 'awaitingJob',
  states: {
    awaitingJob: {
      on: { JOB_FINISHED: { target: 'delivering', actions: 'holdPayload' } },
    },
    delivering: {
      entry: ['countAttempt', { type: 'deliverCallback', params: ({ context }: Args) => ({ jobId: context.jobId, url: context.url, attempt: context.attempts }) }],
      on: {
        DELIVERED: { target: 'delivered', actions: 'recordDelivery' },
        DELIVERY_FAILED: failed,
        EFFECT_FAILED: [
          { guard: and(['deliveryThrew', 'attemptsLeft']), target: 'waiting', actions: 'recordFailure' },
          { guard: 'deliveryThrew', target: 'undelivered', actions: 'recordFailure' },
        ],
      },
    },
    waiting: {
      tags: 'retrying',
      entry: { type: 'scheduleTimer', params: retryTimer },
      on: {
        'TIMER.retry': 'delivering',
        RESEND: { target: 'delivering', actions: ['newRound', { type: 'cancelTimer', params: { name: 'retry' } }] },
      },
    },
    undelivered: {
      tags: 'undelivered',
      on: { RESEND: { target: 'delivering', actions: 'newRound' } },
    },
    delivered: { type: 'final' },
  },
});

/** Why the callback refuses an operator's resend. */
function callbackRefusal(_snapshot: unknown, event: CallbackEvent): string | undefined {
  if (event.type === 'RESEND') return 'only a callback that is undelivered or waiting to retry can be sent again';
  if (event.type === 'JOB_FINISHED') return 'the callback already has its job outcome';
  return undefined;
}

export const CALLBACK_MACHINE = {
  id: 'callback',
  version: '1',
  streamPrefix: 'callback-',
  machine: callbackMachine,
  refusal: callbackRefusal,
} as const satisfies MachineDefinition<typeof callbackMachine, CallbackEffectParams>;

export type CallbackDefinition = MachineDefinition<typeof callbackMachine, CallbackEffectParams>;
