// The composition root of the engine: one function builds the store, the clock, the actor host
// with every machine and every effect, and the runtimes around them. The server, the demo, the
// chaos test and the benchmarks all start the engine through here, so they run the same thing.
import { ActorHost, SystemClock, silentLogger, type Clock, type EffectRegistry, type EventStore, type Logger, type MachineDefinition, type RestoreReport } from '@engine/core';
import { ENGINE_MACHINES } from './machines';

export interface EngineOptions {
  store: EventStore;
  clock?: Clock;
  logger?: Logger;
  /** Effect handlers by action name; features add theirs (jobs, master sessions, pool). */
  effects?: EffectRegistry;
  machines?: MachineDefinition[];
}

export interface Engine {
  readonly store: EventStore;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly machines: MachineDefinition[];
  readonly host: ActorHost;
  /** Restores every live stream from the log (no refold) and resumes interrupted effects. */
  start(): Promise<RestoreReport>;
  /** Stops timers and effects, then closes the store. */
  stop(): Promise<void>;
}

export function createEngine(options: EngineOptions): Engine {
  const clock = options.clock ?? new SystemClock();
  const logger = options.logger ?? silentLogger;
  const machines = options.machines ?? ENGINE_MACHINES;
  const host = new ActorHost({ store: options.store, clock, definitions: machines, effects: options.effects ?? {}, logger });
  return {
    store: options.store,
    clock,
    logger,
    machines,
    host,
    start: () => host.start(),
    async stop() {
      await host.stop();
      await options.store.close();
    },
  };
}
