// A machine the host can run: the pure XState machine plus what the host needs to know about it.
import type { AnyStateMachine } from 'xstate';

export interface MachineDefinition<TMachine extends AnyStateMachine = AnyStateMachine> {
  /** Stable id recorded on every stream it starts, e.g. `job`. */
  id: string;
  /** Bumped whenever the machine's behaviour changes; recorded on every event, reported by audit. */
  version: string;
  machine: TMachine;
  /** Streams of this machine are named `<streamPrefix><id>`, e.g. `job-`. */
  streamPrefix: string;
  /** Effects that never report an outcome (alerts, logs): not tracked as pending. */
  fireAndForget?: readonly string[];
}

/** Host-handled actions: durable timers. Every other action a machine emits is an effect. */
export const TIMER_ACTIONS = { schedule: 'scheduleTimer', cancel: 'cancelTimer' } as const;

export interface ScheduleTimerParams {
  name: string;
  delayMs: number;
}

export interface CancelTimerParams {
  name: string;
}

/** The event a fired timer sends to its machine. */
export function timerEventType(name: string): string {
  return `TIMER.${name}`;
}
