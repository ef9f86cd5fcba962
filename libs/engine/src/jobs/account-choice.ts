// Which of a portal's accounts an attempt starts on, as a pure decision: a portal may list
// several accounts (each with its own master session and its own share of the portal's attempts).
// Only an account whose master session is available and that has room under its share is ready;
// among those, the least loaded one takes the attempt: the fewest attempts in flight, then the
// smallest part of its share in use, then the one that started an attempt least recently, then
// the order of the configuration. An account in recovery or critical is skipped; the portal's
// jobs wait only when no account is ready.

/** A portal account as the scheduler sees it now. */
export interface AccountSlot {
  /** The account id; null for a portal's only, implicit account (one credentials reference). */
  account: string | null;
  /** Its master session's stream. */
  masterSession: string;
  /** Whether its master session is available (ready, or probing a healthy session). */
  available: boolean;
  /** Attempts in flight on this account. */
  inFlight: number;
  /** Its share: attempts in flight at once on it; null: only the portal's and the global limits. */
  concurrency: number | null;
  /** When it last got an attempt (a sequence number, -1: never). */
  lastStarted: number;
}

/** Whether the account may take one more attempt now. */
export function accountReady(slot: AccountSlot): boolean {
  return slot.available && (slot.concurrency === null || slot.inFlight < slot.concurrency);
}

/** The ready account the next attempt starts on, or undefined when none is ready. */
export function chooseAccount(slots: readonly AccountSlot[]): AccountSlot | undefined {
  let best: AccountSlot | undefined;
  for (const slot of slots) {
    if (!accountReady(slot)) continue;
    if (!best || lessLoaded(slot, best)) best = slot;
  }
  return best;
}

function lessLoaded(a: AccountSlot, b: AccountSlot): boolean {
  if (a.inFlight !== b.inFlight) return a.inFlight < b.inFlight;
  const used = (s: AccountSlot) => (s.concurrency === null ? 0 : s.inFlight / s.concurrency);
  if (used(a) !== used(b)) return used(a) < used(b);
  return a.lastStarted < b.lastStarted;
}
