// Alerter adapter: writes each alert to the Logger port (critical → error, warning → warn).
// The default when no webhook is configured, and a second channel next to one.
import type { Alert, Alerter, Logger } from '@engine/core';

export class LogAlerter implements Alerter {
  constructor(private readonly logger: Logger) {}

  async send(alert: Alert): Promise<void> {
    const fields = { alertId: alert.id, code: alert.code, portal: alert.portal, at: alert.at, alert: alert.message };
    if (alert.level === 'critical') this.logger.error('alert', fields);
    else this.logger.warn('alert', fields);
  }
}
