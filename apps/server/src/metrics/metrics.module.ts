import { Global, Module } from '@nestjs/common';
import { MetricsController } from './metrics.controller';
import { METRICS_COLLECTORS } from './metrics.tokens';

@Global()
@Module({
  controllers: [MetricsController],
  providers: [{ provide: METRICS_COLLECTORS, useValue: [] }],
  exports: [METRICS_COLLECTORS],
})
export class MetricsModule {}
