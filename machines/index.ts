export * from './heartbeat/heartbeat.machine';
export * from './heartbeat/heartbeat.events';
export * from './job/job.config';
export * from './job/job.events';
export * from './job/job.effects';
export * from './job/job.machine';
export * from './job/job.queries';
