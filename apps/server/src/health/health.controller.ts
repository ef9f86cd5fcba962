// GET /health (no token): the store takes writes, each master session's state, each portal's
// browser alive (EngineHealthIndicators). 503 with the details when one is down.
import { Controller, Get } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, type HealthCheckResult } from '@nestjs/terminus';
import { Public } from '../common/public.decorator';
import { EngineHealthIndicators } from './engine-health.indicators';

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: EngineHealthIndicators,
  ) {}

  @Get()
  @Public()
  @HealthCheck()
  check(): Promise<HealthCheckResult> {
    return this.health.check(this.indicators.all());
  }
}
