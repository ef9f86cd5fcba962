import { Global, Module } from '@nestjs/common';
import { StateFeed } from '@engine/core';
import { SessionsApi } from '@engine/engine';
import { engineCollectors } from './engine-collectors';
import { MetricsController } from './metrics.controller';
import { METRICS_COLLECTORS } from './metrics.tokens';

@Global()
@Module({
  controllers: [MetricsController],
  providers: [{ provide: METRICS_COLLECTORS, useFactory: (feed: StateFeed, sessions: SessionsApi) => engineCollectors(feed, sessions), inject: [StateFeed, SessionsApi] }],
  exports: [METRICS_COLLECTORS],
})
export class MetricsModule {}
