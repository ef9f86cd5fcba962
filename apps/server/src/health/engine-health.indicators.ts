// What /health checks, one terminus indicator each: the event store takes writes, and per
// portal the master session's state and whether its browser is alive. Down (503) only for what
// stops the engine working: a store that cannot be written, a master session in `critical`
// (intake halted until an operator resets it), or a session that claims a browser that is gone.
// Launching, logging in and recovering are up: the engine is healing on its own.
import { Inject, Injectable } from '@nestjs/common';
import { HealthIndicatorService, type HealthIndicatorFunction } from '@nestjs/terminus';
import { MASTER_READY_STATES, type Engine } from '@engine/engine';
import { ENGINE } from '../engine/engine.providers';

@Injectable()
export class EngineHealthIndicators {
  constructor(
    @Inject(ENGINE) private readonly engine: Engine,
    private readonly indicators: HealthIndicatorService,
  ) {}

  all(): HealthIndicatorFunction[] {
    return [() => this.store(), ...this.engine.portals.ids().flatMap((portal) => [() => this.masterSession(portal), () => this.browser(portal)])];
  }

  async store() {
    const indicator = this.indicators.check('store');
    const store = this.engine.store;
    try {
      // A store without the probe (an adapter older than it) is at least asked for a read.
      if (store.checkWritable) await store.checkWritable();
      else await store.streamVersion('health-check');
      return indicator.up({ writable: store.checkWritable ? true : 'unknown' });
    } catch (error) {
      return indicator.down({ writable: false, code: (error as { code?: string }).code ?? 'STORE_UNAVAILABLE' });
    }
  }

  masterSession(portal: string) {
    const indicator = this.indicators.check(`session:${portal}`);
    const entry = this.engine.index.get(`master-${portal}`);
    if (!entry) return indicator.up({ state: null, note: 'no master session (the portal has no credentials reference)' });
    const context = entry.state.context as { intakeHalted?: boolean };
    const details = { state: stateName(entry.state.value), intakeHalted: context.intakeHalted === true, updatedAt: entry.updatedAt };
    return details.state === 'critical' ? indicator.down(details) : indicator.up(details);
  }

  browser(portal: string) {
    const indicator = this.indicators.check(`browser:${portal}`);
    const state = stateName(this.engine.index.get(`master-${portal}`)?.state.value);
    const alive = this.engine.masterSessions.source(portal) !== undefined;
    const details = { alive, expected: MASTER_READY_STATES.has(state) };
    return details.expected && !alive ? indicator.down(details) : indicator.up(details);
  }
}

function stateName(value: unknown): string {
  if (value === undefined || value === null) return 'none';
  return typeof value === 'string' ? value : (Object.keys(value as object)[0] ?? 'unknown');
}
