// Group commit for an asynchronous database. Appends queue; whenever fewer than `concurrency`
// write transactions are in flight, everything queued (up to `maxBatch`) becomes the next one.
// Appends that arrive while a transaction commits therefore share the next transaction and its
// WAL flush, which is what makes many small durable appends cheap. The queue is taken once per
// event-loop turn (setImmediate), after the writers whose append just resolved queued again.
export class CommitBatcher<Request> {
  private pending: Request[] = [];
  private inFlight = 0;
  private scheduled: NodeJS.Immediate | undefined;
  private idle: Array<() => void> = [];

  constructor(
    private readonly commit: (batch: Request[]) => Promise<void>,
    private readonly concurrency: number,
    private readonly maxBatch: number,
  ) {}

  push(request: Request): void {
    this.pending.push(request);
    this.schedule();
  }

  /** Resolves once nothing is queued or committing (used by close, so nothing queued is dropped). */
  drained(): Promise<void> {
    if (this.pending.length === 0 && this.inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.idle.push(resolve));
  }

  private schedule(): void {
    if (this.scheduled || this.inFlight >= this.concurrency || this.pending.length === 0) return;
    this.scheduled = setImmediate(() => {
      this.scheduled = undefined;
      this.start();
    });
  }

  private start(): void {
    while (this.inFlight < this.concurrency && this.pending.length > 0) {
      const batch = this.pending.splice(0, this.maxBatch);
      this.inFlight++;
      // `commit` settles every request of its batch itself, also when it fails.
      const done = () => {
        this.inFlight--;
        if (this.pending.length > 0) this.schedule();
        else if (this.inFlight === 0) this.wakeIdle();
      };
      this.commit(batch).then(done, done);
    }
  }

  private wakeIdle(): void {
    const idle = this.idle;
    this.idle = [];
    for (const resolve of idle) resolve();
  }
}
