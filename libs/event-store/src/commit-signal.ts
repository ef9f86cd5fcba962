// Wakes subscriptions after a commit. In-process only: a store tells its own subscribers that
// the log grew; they then read what was committed from the store itself, so a missed or
// merged wake-up can delay an event but never lose or repeat one.
export class CommitSignal {
  private waiters: Array<() => void> = [];

  /** Resolves at the next `notify()`. Take it before reading, so a commit during the read still wakes you. */
  next(): Promise<void> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  notify(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }
}
