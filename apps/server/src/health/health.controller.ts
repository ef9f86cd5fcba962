// GET /health (no token): the store takes writes, each master session's state and browser alive,
// every account's of a portal with accounts (EngineHealthIndicators). 503 with the details when one is down.
// GET /health/causes (token): the open incidents, one root cause per session (per account) that
// cannot serve jobs, with the jobs waiting on it and the leases and keep-alive probes it held,
// cancelled or refused.
import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, type HealthCheckResult } from '@nestjs/terminus';
import { incidentListSchema, SessionsApi, type Incident } from '@engine/engine';
import { ApiJsonResponse } from '../common/api-schema';
import { Public } from '../common/public.decorator';
import { EngineHealthIndicators } from './engine-health.indicators';

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: EngineHealthIndicators,
    private readonly sessions: SessionsApi,
  ) {}

  @Get()
  @Public()
  @HealthCheck()
  check(): Promise<HealthCheckResult> {
    return this.health.check(this.indicators.all());
  }

  @Get('causes')
  @ApiBearerAuth()
  @ApiJsonResponse(incidentListSchema)
  async causes(): Promise<{ incidents: Incident[] }> {
    return { incidents: await this.sessions.incidents() };
  }
}
