import { Global, Module } from '@nestjs/common';
import type { Engine } from '@engine/engine';
import { ENGINE } from '../engine/engine.providers';
import { engineCollectors } from './engine-collectors';
import { MetricsController } from './metrics.controller';
import { METRICS_COLLECTORS } from './metrics.tokens';

@Global()
@Module({
  controllers: [MetricsController],
  providers: [{ provide: METRICS_COLLECTORS, useFactory: (engine: Engine) => engineCollectors(engine), inject: [ENGINE] }],
  exports: [METRICS_COLLECTORS],
})
export class MetricsModule {}
