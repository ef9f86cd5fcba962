// A batch of operations run through the health monitor (e.g. the jobs of one intake): it keeps
// their records for one consistent summary and tells when nothing of it is running any more.
import { summarizeBatch, type BatchSummary } from './batch-summary';
import type { OperationRecord } from './operation-record';

export interface RunOptions {
  /** The caller's own cancellation (waiting or in flight). */
  signal?: AbortSignal;
  /**
   * While the session is dead: `wait` (default) until it is healthy again; `cancel` at once, as
   * cancelled by the death (an operation that is pointless later, e.g. a keep-alive probe).
   */
  whenDead?: 'wait' | 'cancel';
}

/** What the monitor needs to report records to a batch. */
export interface InternalRunOptions extends RunOptions {
  onRecord?: (record: OperationRecord) => void;
  onChange?: () => void;
}

export type Runner = <T>(sessionId: string, name: string, fn: (signal: AbortSignal) => Promise<T>, options: InternalRunOptions) => Promise<T>;

/** Operations run together (a job batch): their records, one summary, and a way to await the dust settling. */
export class OperationBatch {
  readonly records: OperationRecord[] = [];
  private readonly listeners = new Set<() => void>();

  constructor(private readonly runner: Runner) {}

  run<T>(sessionId: string, name: string, fn: (signal: AbortSignal) => Promise<T>, options: RunOptions = {}): Promise<T> {
    return this.runner(sessionId, name, fn, {
      ...options,
      onRecord: (record) => this.records.push(record),
      onChange: () => this.listeners.forEach((listener) => listener()),
    });
  }

  summary(): BatchSummary {
    return summarizeBatch(this.records);
  }

  /** Resolves once no operation of the batch is running (each finished, cancelled or waiting). */
  settled(): Promise<BatchSummary> {
    return new Promise((resolve) => {
      const check = () => {
        if (this.records.some((r) => r.status === 'running')) return;
        this.listeners.delete(check);
        resolve(this.summary());
      };
      this.listeners.add(check);
      check();
    });
  }
}
