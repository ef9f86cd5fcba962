// What /health checks, one terminus indicator each: the event store takes writes, and per
// master session (each account's of a portal with accounts: `session:<portal>.<account>`) its
// state and whether its browser is alive. Down (503) only for what
// stops the engine working: a store that cannot be written, a master session whose intake is
// halted (critical, until an operator resets it) or whose captcha nobody answered in time, or a
// session that claims a browser that is gone. Launching, logging in, recovering and a captcha
// within its deadline are up: the engine is healing on its own or an operator is on it.
import { Inject, Injectable } from '@nestjs/common';
import { HealthIndicatorService, type HealthIndicatorFunction } from '@nestjs/terminus';
import type { EventStore } from '@engine/core';
import { SessionsApi } from '@engine/engine';
import { EVENT_STORE } from '../common/tokens';

@Injectable()
export class EngineHealthIndicators {
  constructor(
    @Inject(EVENT_STORE) private readonly eventStore: EventStore,
    private readonly sessions: SessionsApi,
    private readonly indicators: HealthIndicatorService,
  ) {}

  /** The store, then per portal each of its master sessions (`<portal>`, then `<portal>.<account>` of a portal with accounts). */
  all(): HealthIndicatorFunction[] {
    return [
      () => this.store(),
      ...this.sessions.portals().flatMap((portal) => {
        const sessions = this.sessions.sessionsOf(portal);
        return (sessions.length > 0 ? sessions : [portal]).flatMap((session) => [() => this.masterSession(session), () => this.browser(session)]);
      }),
    ];
  }

  async store() {
    const indicator = this.indicators.check('store');
    const store = this.eventStore;
    try {
      // A store without the probe (an adapter older than it) is at least asked for a read.
      if (store.checkWritable) await store.checkWritable();
      else await store.streamVersion('health-check');
      return indicator.up({ writable: store.checkWritable ? true : 'unknown' });
    } catch (error) {
      return indicator.down({ writable: false, code: (error as { code?: string }).code ?? 'STORE_UNAVAILABLE' });
    }
  }

  /** `id`: a master session (`<portal>` or `<portal>.<account>`), or a portal that has none. */
  masterSession(id: string) {
    const indicator = this.indicators.check(`session:${id}`);
    const session = this.sessions.find(id);
    if (!session) return indicator.up({ state: null, note: 'no master session (the portal has no credentials reference)' });
    const captchaOverdue = this.sessions.captchaOverdue(id);
    const details = {
      state: session.state,
      ...(session.account !== null ? { account: session.account } : {}),
      intakeHalted: session.intakeHalted,
      updatedAt: session.updatedAt,
      ...(session.captcha ? { captcha: session.captcha, captchaOverdue } : {}),
    };
    return session.intakeHalted || captchaOverdue ? indicator.down(details) : indicator.up(details);
  }

  browser(session: string) {
    const indicator = this.indicators.check(`browser:${session}`);
    const details = this.sessions.browser(session);
    return details.expected && !details.alive ? indicator.down(details) : indicator.up(details);
  }
}
