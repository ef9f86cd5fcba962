// Alerter that delivers each alert to several alerters (the log and a webhook): one channel
// failing must not keep the alert from the others, but the failure is still reported.
import type { Alert, Alerter, AlertSendOptions } from '@engine/core';

/** Sends to every alerter; fails (after trying all) when any of them failed. */
export class FanOutAlerter implements Alerter {
  constructor(private readonly alerters: readonly Alerter[]) {}

  async send(alert: Alert, options?: AlertSendOptions): Promise<void> {
    const results = await Promise.allSettled(this.alerters.map((a) => a.send(alert, options)));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  }
}
