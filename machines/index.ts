export * from './engine-machines';
export * from './state-tags';
export * from './job/job.config';
export * from './job/job.events';
export * from './job/job.effects';
export * from './job/job.machine';
export * from './job/job.queries';
export * from './master-session/master-session.config';
export * from './master-session/master-session.events';
export * from './master-session/master-session.effects';
export * from './master-session/master-session.machine';
export * from './master-session/master-session.queries';
export * from './master-session/master-session.names';
export * from './master-session/recovery-history';
export type {
  AttemptOutcome,
  MasterSessionContext,
  MasterSessionInput,
  Recovery,
  RecoveryAttempt,
  RecoveryTrigger,
} from './master-session/master-session.context';
export * from './workflow-session/workflow-session.names';
export * from './workflow-session/workflow-session.events';
export * from './workflow-session/workflow-session.effects';
export * from './workflow-session/workflow-session.machine';
export * from './backoff';
export * from './callback/callback.events';
export * from './callback/callback.effects';
export * from './callback/callback.machine';
export * from './portal-queue/portal-queue.events';
export * from './portal-queue/portal-queue.machine';
export * from './session-lease/session-lease.events';
export * from './session-lease/session-lease.effects';
export * from './session-lease/session-lease.machine';
export * from './architecture-charts';
export * from './statechart-mermaid';
