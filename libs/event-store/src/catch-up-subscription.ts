// `EventStore.subscribe` for every adapter: read committed events after the last delivered
// position page by page (catch-up), and when there are none left wait for a commit signal
// (live). Because both phases read the same ordered log from a cursor, there is no hand-over
// gap between them and no event is delivered twice.
import type { EventHandler, RecordedEvent, SubscribeOptions, Subscription } from '@engine/core';
import type { CommitSignal } from './commit-signal';

/** Committed events with position > `fromPosition`, in position order, at most `limit`. */
export type ReadAfter = (fromPosition: number, limit: number) => RecordedEvent[] | Promise<RecordedEvent[]>;

const PAGE_SIZE = 500;

export class CatchUpSubscription implements Subscription {
  private closed = false;
  private wakeOnClose: () => void = () => undefined;
  private readonly closing = new Promise<void>((resolve) => (this.wakeOnClose = resolve));
  private inHandler = false;
  private readonly done: Promise<void>;

  constructor(
    private readonly readAfter: ReadAfter,
    private readonly commits: CommitSignal,
    fromPosition: number,
    private readonly handler: EventHandler,
    private readonly options: SubscribeOptions = {},
  ) {
    this.done = this.run(fromPosition).catch((error: unknown) => {
      this.closed = true;
      process.emitWarning(`event subscription stopped: reading the log failed: ${String(error)}`);
    });
  }

  /** Resolves once no handler call is running or will start (immediately when called from inside the handler). */
  async close(): Promise<void> {
    this.closed = true;
    this.wakeOnClose();
    if (!this.inHandler) await this.done;
  }

  private async run(fromPosition: number): Promise<void> {
    let position = fromPosition;
    while (!this.closed) {
      const committed = this.commits.next();
      const page = await this.readAfter(position, PAGE_SIZE);
      if (page.length === 0) {
        await Promise.race([committed, this.closing]);
        continue;
      }
      for (const event of page) {
        if (this.closed || !(await this.deliver(event))) return;
        position = event.position;
      }
      // A synchronous store and handler would otherwise catch up entirely in microtasks,
      // starving timers, I/O and the group commit of everyone else until the end of the log.
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  private async deliver(event: RecordedEvent): Promise<boolean> {
    this.inHandler = true;
    try {
      await this.handler(event);
      return true;
    } catch (error) {
      this.closed = true;
      this.report(error, event);
      return false;
    } finally {
      this.inHandler = false;
    }
  }

  private report(error: unknown, event: RecordedEvent): void {
    if (this.options.onError) {
      try {
        this.options.onError(error, event);
      } catch (reportError) {
        process.emitWarning(`event subscription onError threw: ${String(reportError)}`);
      }
      return;
    }
    process.emitWarning(`event subscription stopped at position ${event.position} (${event.stream} v${event.version}): ${String(error)}`);
  }
}
