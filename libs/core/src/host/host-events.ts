// Event types written by the host itself (not by a machine transition). Machine events keep
// the machine's own type names; these are lower-case with a dot so they can never collide.
export const HOST_EVENTS = {
  started: 'actor.started',
  timerScheduled: 'timer.scheduled',
  timerCancelled: 'timer.cancelled',
  migrated: 'actor.migrated',
} as const;

export interface ActorStartedData {
  input: unknown;
}

/** A stream moved from one version of its machine to the next by a declared migration (`engine migrate`). */
export interface ActorMigratedData {
  from: string;
  to: string;
  /** The mapped machine state the stream continues from on version `to`. */
  state: { value: unknown; context: unknown };
}

export interface TimerScheduledData {
  name: string;
  timerId: string;
  dueAt: number;
}

export interface TimerCancelledData {
  name: string;
  timerId: string;
}

export function isHostBookkeeping(type: string): boolean {
  return type === HOST_EVENTS.timerScheduled || type === HOST_EVENTS.timerCancelled;
}
