export * from './machine-spec';
export * from './heartbeat-machine';
export * from './task-machines';
