// EventStore adapters. Each passes conformance/event-store.conformance.ts.
export { MemoryEventStore } from './memory-event-store';
export { MemoryEventLog } from './memory-event-log';
export { SqliteEventStore, type SqliteEventStoreOptions, type SqliteEventStoreStats } from './sqlite-event-store';
export { SCHEMA_VERSION, type SynchronousMode } from './sqlite-schema';
export { openEventStore } from './open-event-store';
