// Wakes a PostgreSQL store's subscriptions when any process commits to the log. LISTEN/NOTIFY
// is only a wake-up: subscribers then read from the table, so a lost notification (a dropped
// listener connection, a writer that crashed between COMMIT and NOTIFY) can delay an event by
// one poll interval but never lose or repeat one. The poll also covers a transaction outside
// the store that holds the visibility horizon back and ends without notifying.
import { Client, type ClientConfig } from 'pg';
import { CommitSignal } from './commit-signal';

export const COMMIT_CHANNEL = 'event_store_commits';

const RECONNECT_DELAY_MS = 500;

export class PostgresCommitListener {
  readonly signal = new CommitSignal();
  private client: Client | undefined;
  private started = false;
  private closed = false;
  private poll: NodeJS.Timeout | undefined;
  private reconnect: NodeJS.Timeout | undefined;

  constructor(
    private readonly config: ClientConfig,
    private readonly pollIntervalMs: number,
    private readonly onProblem: (error: unknown) => void,
  ) {}

  /** Connects on first use: a store that nobody subscribes to holds no listening connection. */
  start(): void {
    if (this.started || this.closed) return;
    this.started = true;
    this.poll = setInterval(() => this.signal.notify(), this.pollIntervalMs);
    this.poll.unref();
    void this.connect();
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.poll);
    clearTimeout(this.reconnect);
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    const client = new Client(this.config);
    client.on('notification', () => this.signal.notify());
    client.on('error', (error) => this.lost(client, error));
    client.on('end', () => this.lost(client, undefined));
    this.client = client;
    try {
      await client.connect();
      await client.query(`LISTEN ${COMMIT_CHANNEL}`);
      // Commits made while we were not listening were not announced to us.
      this.signal.notify();
    } catch (error) {
      this.lost(client, error);
    }
  }

  private lost(client: Client, error: unknown): void {
    if (this.closed || this.client !== client) return;
    this.client = undefined;
    if (error !== undefined) this.onProblem(error);
    client.end().catch(() => undefined);
    this.reconnect = setTimeout(() => void this.connect(), RECONNECT_DELAY_MS);
    this.reconnect.unref();
  }
}
