// Test doubles for alert tests: an alerter that records (and can be told to fail) and recorded
// events shaped like what master-session and job streams store.
import { EngineError, type Alert, type Alerter, type RecordedEvent } from '@engine/core';

export class RecordingAlerter implements Alerter {
  readonly sent: Alert[] = [];
  /** Fail the next n deliveries. */
  failNext = 0;

  async send(alert: Alert): Promise<void> {
    if (this.failNext > 0) {
      this.failNext -= 1;
      throw new EngineError('ALERT_DELIVERY_FAILED', 'receiver down');
    }
    this.sent.push(alert);
  }
}

let position = 0;

function recorded(stream: string, atMs: number, stateAfter: unknown): RecordedEvent {
  position += 1;
  return { stream, version: 1, position, type: 'x', data: {}, stateAfter, meta: { at: new Date(atMs).toISOString() }, hash: '', prevHash: '' };
}

/** A master-session event whose state shows recovery `number` with one running soft attempt. */
export function recoveryEvent(portal: string, number: number, atMs: number): RecordedEvent {
  const recovery = { number, attempts: [{ level: 'soft', try: 1, outcome: 'running', error: null }] };
  return recorded(`master-${portal}`, atMs, { value: { recovering: 'soft' }, status: 'active', context: { portal, recovery } });
}

/** A job event before its end, in state `value`. */
export function jobEvent(portal: string, jobId: string, value: string, atMs: number): RecordedEvent {
  return recorded(`job-${jobId}`, atMs, { value, status: 'active', context: { portal, jobId } });
}

export function jobFinished(portal: string, jobId: string, outcome: string, atMs: number): RecordedEvent {
  return recorded(`job-${jobId}`, atMs, { value: outcome, status: 'done', context: { portal, jobId } });
}
