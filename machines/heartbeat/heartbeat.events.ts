// Events of the heartbeat machine: the outcome of one probe, the host's timer, and STOP.
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
