// Test doubles for host-level master-session tests: effect handlers that count their runs and
// answer from a script, and a per-process clock whose timers die with a simulated crash.
import { EngineError, type Clock, type EffectRegistry, type EngineEvent, type SimulatedClock, type TimerHandle } from '@engine/core';
import type { MasterSessionEffect, MasterSessionEffectParams } from './master-session.effects';
import type { MasterSessionEvent } from './master-session.events';

/** `ok`: the effect's success event; `fail`: the handler throws (→ EFFECT_FAILED); `hang`: it never answers. */
export type ScriptedOutcome = 'ok' | 'fail' | 'hang';

export type EffectScript = Partial<Record<MasterSessionEffect, ScriptedOutcome[]>>;

/**
 * The portal, browser and alerter as one scripted fake. Each effect answers `ok` unless its
 * script says otherwise (one entry per run, in order). `gate(effect)` holds the next runs of an
 * effect until `open(effect)`, to let commands arrive while the effect is in flight.
 */
export class FakeEffects {
  readonly runs: { effect: MasterSessionEffect; params: unknown }[] = [];
  private readonly gates = new Map<MasterSessionEffect, { promise: Promise<void>; open: () => void }>();

  constructor(
    private readonly clock: Clock,
    private readonly script: EffectScript = {},
  ) {}

  count(effect: MasterSessionEffect): number {
    return this.runs.filter((r) => r.effect === effect).length;
  }

  gate(effect: MasterSessionEffect): void {
    let open = () => undefined as void;
    const promise = new Promise<void>((resolve) => (open = resolve));
    this.gates.set(effect, { promise, open });
  }

  open(effect: MasterSessionEffect): void {
    this.gates.get(effect)?.open();
    this.gates.delete(effect);
  }

  registry(): EffectRegistry {
    const effects: MasterSessionEffect[] = [
      'launchBrowser',
      'closeBrowser',
      'login',
      'relogin',
      'probeSession',
      'backupProfile',
      'wipeProfile',
      'restoreProfile',
      'sendAlert',
      'withdrawCaptcha',
    ];
    return Object.fromEntries(effects.map((effect) => [effect, { run: (params: never) => this.run(effect, params) }]));
  }

  private async run<K extends MasterSessionEffect>(effect: K, params: MasterSessionEffectParams[K]): Promise<EngineEvent | undefined> {
    this.runs.push({ effect, params });
    const outcome = this.script[effect]?.shift() ?? 'ok';
    await this.gates.get(effect)?.promise;
    if (outcome === 'hang') return new Promise<never>(() => undefined); // the process died with it
    if (outcome === 'fail') throw new EngineError(`${effect.toUpperCase()}_FAILED`, `scripted failure of ${effect}`);
    return this.success(effect, params);
  }

  private success<K extends MasterSessionEffect>(effect: K, params: MasterSessionEffectParams[K]): MasterSessionEvent | undefined {
    const at = new Date(this.clock.now()).toISOString();
    const name: MasterSessionEffect = effect;
    switch (name) {
      case 'launchBrowser':
        return { type: 'BROWSER_LAUNCHED' };
      case 'closeBrowser':
        return { type: 'BROWSER_CLOSED' };
      case 'login':
      case 'relogin':
        return { type: 'LOGGED_IN', at };
      case 'probeSession':
        return { type: 'PROBE_OK', probe: (params as MasterSessionEffectParams['probeSession']).probe, at };
      case 'backupProfile':
        return { type: 'PROFILE_BACKED_UP', backupRef: `backup-${this.count('backupProfile')}` };
      case 'wipeProfile':
        return { type: 'PROFILE_WIPED' };
      case 'restoreProfile':
        return { type: 'PROFILE_RESTORED' };
      case 'sendAlert':
        return { type: 'ALERT_SENT' };
      case 'withdrawCaptcha':
        return undefined; // fire-and-forget: nothing to record
    }
  }
}

/**
 * The clock as one process sees it: the shared simulated time, but its timers are the
 * process's own and vanish when it crashes (a dead process fires nothing; no stop() is called).
 */
export class ProcessClock implements Clock {
  private readonly handles: TimerHandle[] = [];
  private crashed = false;

  constructor(private readonly clock: SimulatedClock) {}

  now(): number {
    return this.clock.now();
  }

  schedule(atMs: number, fn: () => void): TimerHandle {
    const handle = this.clock.schedule(atMs, () => {
      if (!this.crashed) fn();
    });
    this.handles.push(handle);
    return handle;
  }

  crash(): void {
    this.crashed = true;
    for (const handle of this.handles) handle.cancel();
  }
}
