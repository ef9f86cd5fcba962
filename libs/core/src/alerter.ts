// The Alerter port: how the engine tells a human that something needs attention (a master
// session gave up recovering, too many recoveries, too many failed jobs). Adapters: webhook
// and log (libs/engine/src/alerts). An alert's text is written by the engine and names no secret.
export type AlertLevel = 'critical' | 'warning';

export interface Alert {
  /** Stable per condition occurrence, so a receiver can drop a re-sent duplicate. */
  id: string;
  level: AlertLevel;
  /** Machine-readable, e.g. RECOVERY_EXHAUSTED, RECOVERY_RATE, JOB_SUCCESS_RATE. */
  code: string;
  portal?: string;
  message: string;
  /** ISO time from the engine's Clock. */
  at: string;
}

export interface AlertSendOptions {
  /** Aborts the delivery (the effect was cancelled, the engine stops). */
  signal?: AbortSignal;
}

export interface Alerter {
  /** Resolves once the alert is delivered; rejects with an EngineError when it is not. */
  send(alert: Alert, options?: AlertSendOptions): Promise<void>;
}
