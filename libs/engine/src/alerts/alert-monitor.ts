// Evaluates the alert rules against the log as it grows and delivers the resulting warnings.
// Fed by a store subscription (every event; the rules are evaluated after those that change a
// signal: a master-session event, a job's final state) and by a periodic tick on the Clock
// (conditions also clear as time passes with no new event, e.g. recoveries leaving the hour).
import type { Alert, Alerter, Clock, EventStore, Logger, RecordedEvent, Subscription, TimerHandle } from '@engine/core';
import { silentLogger } from '@engine/core';
import { AlertEvaluator } from './alert-evaluator';
import { captchaUnansweredCondition, DEFAULT_ALERT_RULES, recoveryRateCondition, successRateCondition, type AlertCondition, type AlertRulesConfig } from './alert-rules';
import { AlertSignals } from './alert-signals';

const HOUR_MS = 3_600_000;

export interface AlertMonitorOptions {
  alerter: Alerter;
  clock: Clock;
  logger?: Logger;
  rules?: Partial<AlertRulesConfig>;
}

export class AlertMonitor {
  readonly rules: AlertRulesConfig;
  private readonly alerter: Alerter;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly signals: AlertSignals;
  private readonly evaluator = new AlertEvaluator();
  private running: Promise<Alert[]> = Promise.resolve([]);

  constructor(options: AlertMonitorOptions) {
    this.alerter = options.alerter;
    this.clock = options.clock;
    this.logger = options.logger ?? silentLogger;
    this.rules = { ...DEFAULT_ALERT_RULES, ...options.rules };
    this.signals = new AlertSignals(2 * Math.max(HOUR_MS, this.rules.successRateWindowMs));
  }

  /** Takes in one event; true when it changed what the rules read. */
  observe(event: RecordedEvent): boolean {
    return this.signals.observe(event);
  }

  conditions(atMs = this.clock.now()): AlertCondition[] {
    return this.signals
      .portals()
      .flatMap((portal) => [
        recoveryRateCondition(portal, this.signals.recoveryRows(portal), atMs, this.rules),
        successRateCondition(portal, this.signals.successRate(portal, atMs, this.rules.successRateWindowMs), this.rules),
        captchaUnansweredCondition(portal, this.signals.captcha(portal)),
      ]);
  }

  /** Evaluates now and delivers what is due; returns the alerts delivered. One evaluation at a time. */
  evaluate(): Promise<Alert[]> {
    this.running = this.running.then(() => this.deliverDue());
    return this.running;
  }

  /** Observes every event from `fromPosition` on, evaluating after each that changed a signal, and on a tick every `intervalMs`. */
  watch(store: EventStore, options: { fromPosition?: number; intervalMs?: number } = {}): { close(): Promise<void> } {
    const intervalMs = options.intervalMs ?? 60_000;
    let timer: TimerHandle | undefined;
    let closed = false;
    const tick = () => {
      if (closed) return;
      void this.evaluate();
      timer = this.clock.schedule(this.clock.now() + intervalMs, tick);
    };
    const subscription: Subscription = store.subscribe(options.fromPosition ?? 0, async (event) => {
      if (this.observe(event)) await this.evaluate();
    });
    timer = this.clock.schedule(this.clock.now() + intervalMs, tick);
    return {
      close: async () => {
        closed = true;
        timer?.cancel();
        await subscription.close();
        await this.running;
      },
    };
  }

  private async deliverDue(): Promise<Alert[]> {
    const now = this.clock.now();
    this.signals.prune(now);
    const delivered: Alert[] = [];
    for (const alert of this.evaluator.evaluate(this.conditions(now), now)) {
      try {
        await this.alerter.send(alert);
        this.evaluator.markDelivered(alert);
        delivered.push(alert);
      } catch (error) {
        // Offered again at the next evaluation, same id.
        this.logger.warn('alert not delivered', { alertId: alert.id, code: alert.code, error: (error as { code?: string }).code ?? 'UNKNOWN' });
      }
    }
    return delivered;
  }
}
