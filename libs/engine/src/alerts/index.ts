// Alerts: the Alerter adapters (webhook as JSON or Slack-compatible, log, fan-out), the alert
// rules and their monitor, and the `sendAlert` effect for the master session.
export * from './alert-delivery-error';
export * from './alert-effects';
export * from './alert-evaluator';
export * from './alert-monitor';
export * from './alert-rules';
export * from './alert-signals';
export * from './fan-out-alerter';
export * from './inspector-link';
export * from './log-alerter';
export * from './slack-message';
export * from './webhook-alerter';
