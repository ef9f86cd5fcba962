// Picks the JobIndex adapter that lives with the event store at `location` (the same
// DATABASE_URL): the memory store gets the memory index, a SQLite file gets tables in that file,
// PostgreSQL gets tables in that database. Open the store first: the SQLite index refuses a file
// the store has not created.
import type { JobIndex } from './job-index';
import { MemoryJobIndex } from './memory-job-index';
import { PostgresJobIndex } from './postgres-job-index';
import { SqliteJobIndex } from './sqlite-job-index';

export async function openJobIndex(location: string): Promise<JobIndex> {
  if (location === 'memory:') return new MemoryJobIndex();
  if (/^postgres(ql)?:\/\//i.test(location)) return PostgresJobIndex.open(location);
  return new SqliteJobIndex(location.startsWith('sqlite:') ? location.slice('sqlite:'.length) : location);
}
