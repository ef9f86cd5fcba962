// GET /metrics in the Prometheus text format (behind the same bearer token as the API).
import { Controller, Get, Header, Inject } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { EngineMetrics } from './metrics';
import { METRICS_COLLECTORS, type MetricsCollector } from './metrics.tokens';

@ApiTags('health')
@ApiBearerAuth()
@Controller('metrics')
export class MetricsController {
  constructor(
    private readonly metrics: EngineMetrics,
    @Inject(METRICS_COLLECTORS) private readonly collectors: MetricsCollector[],
  ) {}

  @Get()
  @Header('Content-Type', 'text/plain; version=0.0.4')
  async scrape(): Promise<string> {
    for (const collect of this.collectors) await collect(this.metrics);
    return this.metrics.registry.metrics();
  }
}
