// EventStore adapters. Each passes conformance/event-store.conformance.ts.
export { MemoryEventStore } from './memory-event-store';
export { MemoryEventLog } from './memory-event-log';
export { SqliteEventStore, type SqliteEventStoreOptions, type SqliteEventStoreStats } from './sqlite-event-store';
export { SCHEMA_VERSION, type SynchronousMode } from './sqlite-schema';
export { anchoredSegments, backupSegmentsDir, copySegments, locateSegments } from './archive-backup';
export { backupSqliteStore, restoreSqliteStore, type SqliteBackupReport, type SqliteRestoreReport, type StoreSnapshotSummary } from './sqlite-backup';
export { PostgresEventStore, type PostgresEventStoreOptions, type PostgresEventStoreStats } from './postgres-event-store';
export { POSTGRES_SCHEMA_VERSION } from './postgres-schema';
export { redactUrl } from './postgres-redact-url';
export { COMMIT_CHANNEL } from './postgres-commit-listener';
export { openEventStore, openEventStoreAsync, type OpenEventStoreOptions } from './open-event-store';
export { ArchiveSegmentError, readSegment, verifySegmentChains, writeSegment, type ArchivedStreamHead, type WrittenSegment } from './archive-segment';
export { ARCHIVE_STREAM, SEGMENT_ARCHIVED, StreamArchive, type ArchiveCandidate, type ArchiveOptions, type ArchiveProblem, type ArchiveRun, type SegmentArchived, type StreamArchiveOptions } from './stream-archive';
