// Isolated workflow sessions: runtime, folders, view.
export * from './workflow-folders';
export * from './workflow-sessions';
export * from './workflow-view';
