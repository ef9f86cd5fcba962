// What the health monitor needs from a browser session: a cheap probe for the heartbeat, and,
// where the session can tell, an immediate death signal (a browser's disconnect) and a
// synchronous liveness check used to tell a cascaded failure from an operation's own one.

export type ProbeVerdict = { ok: true } | { ok: false; reason: string };

export interface MonitoredSession {
  /** One heartbeat probe; must honour the signal (the monitor aborts it at its deadline). */
  probe(signal: AbortSignal): Promise<ProbeVerdict>;
  /** Subscribes to the session's death (e.g. the browser process is gone); returns the unsubscribe function. */
  onDisconnected?(listener: (cause: string) => void): () => void;
  /** False once the session is known to be gone, checked when an operation fails. */
  isAlive?(): boolean;
}
