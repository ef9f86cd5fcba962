// The JobIndex in memory: for tests and an engine on the memory store, where there is no file
// or database to keep it in. A search scans and sorts; it is never the server's index.
import { compareJobSortKeys, matchesJobSearch, type JobIndex, type JobIndexRow, type JobSearch } from './job-index';

export class MemoryJobIndex implements JobIndex {
  private readonly rows = new Map<string, JobIndexRow>();
  private indexed: number | null = null;

  async write(rows: readonly JobIndexRow[], position: number): Promise<void> {
    for (const row of rows) {
      const known = this.rows.get(row.jobId);
      if (!known || known.version < row.version) this.rows.set(row.jobId, { ...row });
    }
    this.indexed = Math.max(this.indexed ?? 0, position);
  }

  async search(query: JobSearch): Promise<JobIndexRow[]> {
    const found: JobIndexRow[] = [];
    for (const row of this.rows.values()) if (matchesJobSearch(row, query)) found.push(row);
    return found
      .sort(compareJobSortKeys)
      .slice(0, query.limit)
      .map((row) => ({ ...row }));
  }

  async position(): Promise<number | null> {
    return this.indexed;
  }

  async clear(): Promise<void> {
    this.rows.clear();
    this.indexed = null;
  }

  async close(): Promise<void> {}
}
