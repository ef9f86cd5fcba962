// Group commit. better-sqlite3 is synchronous, so appends cannot share a transaction by
// overlapping in time; instead they queue, and the queue is flushed once per event-loop turn
// with setImmediate — after every pending microtask, i.e. after the writers whose previous
// append just resolved have queued their next one. Everything queued by then is one batch.
export class CommitQueue<Request> {
  private pending: Request[] = [];
  private scheduled: NodeJS.Immediate | undefined;

  constructor(private readonly commit: (batch: Request[]) => void) {}

  push(request: Request): void {
    this.pending.push(request);
    this.scheduled ??= setImmediate(() => this.flush());
  }

  /** Commits what is queued now (also used by close, so nothing queued is dropped). */
  flush(): void {
    if (this.scheduled) clearImmediate(this.scheduled);
    this.scheduled = undefined;
    const batch = this.pending;
    this.pending = [];
    if (batch.length > 0) this.commit(batch);
  }
}
