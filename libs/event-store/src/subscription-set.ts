// The live subscriptions of one store: each adapter opens its catch-up subscriptions here and
// closes them all when the store closes, so the bookkeeping exists once, not per adapter.
import type { EventHandler, SubscribeOptions, Subscription } from '@engine/core';
import { CatchUpSubscription, type ReadAfter } from './catch-up-subscription';
import type { CommitSignal } from './commit-signal';

export class SubscriptionSet {
  private readonly open = new Set<CatchUpSubscription>();

  subscribe(readAfter: ReadAfter, commits: CommitSignal, fromPosition: number, handler: EventHandler, options?: SubscribeOptions): Subscription {
    const subscription = new CatchUpSubscription(readAfter, commits, fromPosition, handler, options);
    this.open.add(subscription);
    return {
      close: async () => {
        this.open.delete(subscription);
        await subscription.close();
      },
    };
  }

  async closeAll(): Promise<void> {
    const closing = [...this.open].map((s) => s.close());
    this.open.clear();
    await Promise.all(closing);
  }
}
