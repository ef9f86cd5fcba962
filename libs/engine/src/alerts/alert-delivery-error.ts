// Why an alert did not reach its receiver. The target is named by its origin only: a webhook
// URL's path and query are often the secret itself (chat webhooks), so they never appear here.
import { EngineError } from '@engine/core';

export class AlertDeliveryError extends EngineError {
  constructor(target: string, reason: string, details: { status?: number; cause?: string } = {}) {
    super('ALERT_DELIVERY_FAILED', `alert delivery to ${target} failed: ${reason}`, { details: { target, ...details } });
  }
}
