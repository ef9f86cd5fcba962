// Pure questions about a stored master-session state, for the scheduler, the effects layer and
// the API: answered from the machine's tags, so no list of its state names exists elsewhere.
import { tagReader, topState } from '../state-tags';
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
