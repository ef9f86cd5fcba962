// Test doubles for the health monitor: a session whose probe verdict and death the test
// controls, and operations that take simulated time and record whether their signal fired.
import { EngineError, type SimulatedClock } from '@engine/core';
import type { MonitoredSession, ProbeVerdict } from './monitored-session';

export class FakeSession implements MonitoredSession {
  verdict: ProbeVerdict | 'hang' = { ok: true };
  probes = 0;
  alive = true;
  private readonly listeners = new Set<(cause: string) => void>();

  async probe(): Promise<ProbeVerdict> {
    this.probes += 1;
    if (this.verdict === 'hang') return new Promise<never>(() => undefined);
    return this.verdict;
  }

  onDisconnected(listener: (cause: string) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  isAlive(): boolean {
    return this.alive;
  }

  /** The browser process is gone: the disconnect event fires. */
  die(cause: string): void {
    this.alive = false;
    this.verdict = { ok: false, reason: 'disconnected' };
    for (const listener of this.listeners) listener(cause);
  }
}

export interface WorkLog {
  aborted: string[];
}

/** An operation taking `ms` of simulated time; it rejects with its signal's reason when aborted. */
export function work(clock: SimulatedClock, name: string, ms: number, log: WorkLog, outcome: 'ok' | 'fail' = 'ok') {
  return (signal: AbortSignal) =>
    new Promise<string>((resolve, reject) => {
      const timer = clock.schedule(clock.now() + ms, () =>
        outcome === 'ok' ? resolve(name) : reject(new EngineError('FORM_REJECTED', `${name}: portal refused the form`)),
      );
      signal.addEventListener(
        'abort',
        () => {
          timer.cancel();
          log.aborted.push(name);
          reject(signal.reason);
        },
        { once: true },
      );
    });
}
