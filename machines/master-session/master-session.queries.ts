// Pure questions about a stored master-session state, for the scheduler, the effects layer and
// the API: answered from the machine's tags, so no list of its state names exists elsewhere.
import { tagReader, topState } from '../state-tags';
import type { MasterSessionEvent } from './master-session.events';
import { masterSessionMachine, type MasterSessionTag } from './master-session.machine';

const hasTag = tagReader<MasterSessionTag>(masterSessionMachine);

/** What the store holds per master session (the value of its stored state). */
export interface StoredMasterState {
  value: unknown;
}

export function masterSessionHasTag(state: StoredMasterState, tag: MasterSessionTag): boolean {
  return hasTag(state.value, tag);
}

/** Logged in, with a browser this process launched: jobs may clone it (`ready`, `probing`). */
export function isMasterAvailable(state: StoredMasterState | undefined): boolean {
  return state !== undefined && hasTag(state.value, 'available');
}

/** The top-level state's name, as operators read it (`recovering`, not the nested path). */
export function masterStateName(state: StoredMasterState | undefined): string {
  return state === undefined ? 'absent' : topState(state.value);
}

/**
 * What a master session must hear when a process takes it over (a restart, or another worker
 * adopting it): the browser and any login parked on a captcha died with the previous process.
 * Recorded as ready → a failure report heals it now; waiting on a challenge → the login is
 * withdrawn and a new challenge asked. Otherwise nothing (recoveries and timers carry on).
 */
export function takeoverEvent(state: StoredMasterState & { context: { captcha: { challengeId: string } | null } }, at: string, reason: string): MasterSessionEvent | null {
  if (isMasterAvailable(state)) return { type: 'FAILURE_REPORTED', jobId: 'engine', reason, at };
  const challenge = state.context.captcha;
  if (challenge && hasTag(state.value, 'awaitingCaptcha') && !hasTag(state.value, 'captchaExpired')) {
    return { type: 'CAPTCHA_WITHDRAWN', challengeId: challenge.challengeId, reason: 'process_restarted' };
  }
  return null;
}
