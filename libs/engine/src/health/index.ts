// Health: heartbeats on browser sessions, operations halted or cancelled by a dead session,
// batch summaries with one root cause.
export * from './batch-summary';
export * from './browser-session';
export * from './health-monitor';
export * from './monitored-session';
export * from './operation-batch';
export * from './operation-cancelled-error';
export * from './operation-record';
export * from './guard-effects';
