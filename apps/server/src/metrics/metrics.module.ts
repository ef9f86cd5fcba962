import { Global, Module } from '@nestjs/common';
import { StateFeed } from '@engine/core';
import { JobsApi, SessionsApi } from '@engine/engine';
import { engineCollectors, portalLoadCollector } from './engine-collectors';
import { MetricsController } from './metrics.controller';
import { METRICS_COLLECTORS } from './metrics.tokens';

@Global()
@Module({
  controllers: [MetricsController],
  providers: [
    {
      provide: METRICS_COLLECTORS,
      useFactory: (feed: StateFeed, sessions: SessionsApi, jobs: JobsApi) => [...engineCollectors(feed, sessions), portalLoadCollector(jobs)],
      inject: [StateFeed, SessionsApi, JobsApi],
    },
  ],
  exports: [METRICS_COLLECTORS],
})
export class MetricsModule {}
