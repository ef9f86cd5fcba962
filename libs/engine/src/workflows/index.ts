// Isolated workflow sessions: runtime, folders, page downloads, view.
export * from './page-download';
export * from './workflow-folders';
export * from './workflow-sessions';
export * from './workflow-view';
