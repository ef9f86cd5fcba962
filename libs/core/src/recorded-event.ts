// The shape of what the log holds. One recorded event per accepted transition (plus host
// bookkeeping events such as timer.scheduled); `stateAfter` is the full actor state after it.

/** What a writer hands to `EventStore.append`. */
export interface NewEvent {
  type: string;
  data: unknown;
  /** Full state after this event (machine snapshot plus host bookkeeping); null for pure facts. */
  stateAfter: unknown;
  meta: EventMeta;
}

export interface EventMeta {
  /** ISO time from the injected Clock. */
  at: string;
  machineId?: string;
  machineVersion?: string;
  /** Set on an effect's outcome event: the id `<stream>:<version>:<n>` of the effect it answers. */
  effectId?: string;
  /** Set on a fired timer's event. */
  timerId?: string;
  [key: string]: unknown;
}

/** What the store returns. Versions start at 1 per stream; positions are global and increasing. */
export interface RecordedEvent extends NewEvent {
  stream: string;
  version: number;
  position: number;
  /** sha256 hex of prevHash + canonical(event); see hash-chain.ts. */
  hash: string;
  prevHash: string;
}
