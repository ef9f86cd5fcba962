// Adaptive concurrency of one portal (opt-in, `limits.adaptive`), as a pure decision over the
// outcomes of its attempts: additive increase, multiplicative decrease between a floor and the
// portal's configured concurrency (the ceiling). An attempt that ended in a strain (the browser
// died, a timeout, the portal answered 5xx) halves the limit, then not again until the attempts
// that were in flight then have ended (one crash that fails them all counts once); a round of attempts at the current limit without a strain raises it by one. Outcomes that
// say nothing about load (the form refused, the session expired) change nothing.

/** How an attempt's outcome bears on the portal's load. */
export type AttemptSignal = 'healthy' | 'strained' | 'neutral';

export interface AdaptiveBounds {
  floor: number;
  ceiling: number;
}

export interface AdaptiveState {
  limit: number;
  /** Healthy outcomes since the last change or strain. */
  healthyStreak: number;
  /** Outcomes still to come from attempts started before the last decrease: their strain lowers nothing again. */
  settling: number;
}

export interface ConcurrencyChange {
  from: number;
  to: number;
  reason: 'strained' | 'healthy';
}

/**
 * Failure codes that mean the browser or the portal is under strain: a timeout, an operation cut
 * because the browser died, a browser that could not start or hold more contexts, a closed target.
 */
const STRAIN_CODES: ReadonlySet<string> = new Set([
  'TIMEOUT',
  'OPERATION_CANCELLED',
  'BROWSER_LAUNCH_FAILED',
  'CONTEXT_CAPACITY',
  'MEMORY_UNAVAILABLE',
  'TargetCloseError',
  'ProtocolError',
  'TARGETCLOSE',
  'PROTOCOL',
]);

/** An ended attempt: submitted, or the failure it recorded (none: it ended otherwise, e.g. cancelled). */
export function attemptSignal(outcome: { submitted: boolean; failureCode: string | null }): AttemptSignal {
  if (outcome.submitted) return 'healthy';
  if (outcome.failureCode === null) return 'neutral';
  return STRAIN_CODES.has(outcome.failureCode) || /^HTTP_5\d\d$/.test(outcome.failureCode) ? 'strained' : 'neutral';
}

/** Starts at the ceiling: a portal behaves as without adaptation until it shows strain. */
export function initialAdaptiveState(bounds: AdaptiveBounds): AdaptiveState {
  return { limit: bounds.ceiling, healthyStreak: 0, settling: 0 };
}

export function adaptConcurrency(state: AdaptiveState, signal: AttemptSignal, bounds: AdaptiveBounds): { state: AdaptiveState; change: ConcurrencyChange | null } {
  if (signal === 'neutral') return { state, change: null };
  const settling = Math.max(0, state.settling - 1);
  if (signal === 'strained') {
    // The attempts in flight when the limit last dropped may all fail of the same cause: wait for them.
    if (state.settling > 0 || state.limit <= bounds.floor) return { state: { ...state, healthyStreak: 0, settling }, change: null };
    const to = Math.max(bounds.floor, Math.floor(state.limit / 2));
    // Up to `limit` attempts were in flight, this one included.
    return { state: { limit: to, healthyStreak: 0, settling: state.limit - 1 }, change: { from: state.limit, to, reason: 'strained' } };
  }
  const healthyStreak = state.healthyStreak + 1;
  if (healthyStreak < state.limit || state.limit >= bounds.ceiling) return { state: { ...state, healthyStreak, settling }, change: null };
  const to = state.limit + 1;
  return { state: { limit: to, healthyStreak: 0, settling }, change: { from: state.limit, to, reason: 'healthy' } };
}
