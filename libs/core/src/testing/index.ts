export * from './machine-spec';
export * from './heartbeat-machine';
