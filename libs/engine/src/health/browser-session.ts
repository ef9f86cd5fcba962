// Adapts a ManagedBrowser to the health monitor: its disconnect (crash, kill, close) is an
// immediate death, its `connected` flag the liveness check, and the heartbeat asks the browser
// process for its version over the DevTools connection (cheap; no page, no network).
import type { DisconnectInfo, ManagedBrowser } from '@engine/browser';
import type { MonitoredSession, ProbeVerdict } from './monitored-session';

export function monitoredBrowser(managed: ManagedBrowser): MonitoredSession {
  return {
    async probe(signal: AbortSignal): Promise<ProbeVerdict> {
      if (!managed.connected) return { ok: false, reason: 'disconnected' };
      const aborted = new Promise<ProbeVerdict>((resolve) => signal.addEventListener('abort', () => resolve({ ok: false, reason: 'TIMEOUT' }), { once: true }));
      const version = managed.browser.version().then(
        (): ProbeVerdict => ({ ok: true }),
        (): ProbeVerdict => ({ ok: false, reason: 'protocol-error' }),
      );
      return Promise.race([version, aborted]);
    },
    onDisconnected: (listener) => managed.onDisconnected((info) => listener(describeDisconnect(info))),
    isAlive: () => managed.connected,
  };
}

/** `browser crashed (pid 4242, SIGKILL)`: what the batch summary names as the root cause. */
export function describeDisconnect(info: DisconnectInfo): string {
  const details = [info.pid === undefined ? null : `pid ${info.pid}`, info.signal ?? null, info.exitCode == null ? null : `exit code ${info.exitCode}`].filter(Boolean);
  return `browser ${info.reason}${details.length ? ` (${details.join(', ')})` : ''}`;
}
