// The keep-alive session pool: runtime, key, session-factory port and its browser adapter.
export * from './browser-pool-sessions';
export * from './pool-errors';
export * from './pool-key';
export * from './pool-session-factory';
export * from './session-pool';
