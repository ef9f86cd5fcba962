// Turns conditions into alerts without a storm: a condition raises one warning when it becomes
// active and stays silent until it clears; only then can it raise again. An alert that could not
// be delivered is offered again (same id) at the next evaluation until it is.
import type { Alert } from '@engine/core';
import type { AlertCondition } from './alert-rules';

export class AlertEvaluator {
  /** Condition key → the alert raised for its current activation. */
  private readonly raised = new Map<string, { alert: Alert; delivered: boolean }>();

  /** The alerts to deliver now: newly active conditions, and raised ones not delivered yet. */
  evaluate(conditions: readonly AlertCondition[], atMs: number): Alert[] {
    const due: Alert[] = [];
    for (const condition of conditions) {
      const current = this.raised.get(condition.key);
      if (!condition.active) {
        this.raised.delete(condition.key);
        continue;
      }
      if (current) {
        if (!current.delivered) due.push(current.alert);
        continue;
      }
      const at = new Date(atMs).toISOString();
      const alert: Alert = { id: `${condition.key}:${at}`, level: 'warning', code: condition.code, portal: condition.portal, message: condition.message, at };
      this.raised.set(condition.key, { alert, delivered: false });
      due.push(alert);
    }
    return due;
  }

  markDelivered(alert: Alert): void {
    for (const entry of this.raised.values()) if (entry.alert.id === alert.id) entry.delivered = true;
  }

  /** Keys of the conditions currently raised. */
  active(): string[] {
    return [...this.raised.keys()].sort();
  }
}
