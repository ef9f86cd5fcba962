// The engine's ports as Nest providers. Everything here is built by createEngine (libs/engine),
// so the server, the chaos test and the benchmarks run exactly the same composition.
import type { ValueProvider } from '@nestjs/common';
import type { Engine } from '@engine/engine';
import { ACTOR_HOST, CLOCK, EVENT_STORE, LOGGER, MACHINES } from '../common/tokens';

export const ENGINE = Symbol('ENGINE');

export function engineProviders(engine: Engine): ValueProvider[] {
  return [
    { provide: ENGINE, useValue: engine },
    { provide: EVENT_STORE, useValue: engine.store },
    { provide: ACTOR_HOST, useValue: engine.host },
    { provide: CLOCK, useValue: engine.clock },
    { provide: LOGGER, useValue: engine.logger },
    { provide: MACHINES, useValue: engine.machines },
  ];
}
