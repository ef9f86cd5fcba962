export * from './heartbeat/heartbeat.machine';
export * from './heartbeat/heartbeat.events';
