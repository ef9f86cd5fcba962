// GET /health (no token): the store answers reads and takes writes, and every registered
// health indicator (browsers, master sessions) reports. 503 with details when one is down.
import { Controller, Get, Inject } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import type { EventStore } from '@engine/core';
import { Public } from '../common/public.decorator';
import { EVENT_STORE } from '../common/tokens';

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    @Inject(EVENT_STORE) private readonly store: EventStore,
  ) {}

  @Get()
  @Public()
  @HealthCheck()
  check() {
    return this.health.check([
      async () => {
        const indicator = this.indicators.check('store');
        try {
          await this.store.streamVersion('health-check');
          return indicator.up();
        } catch (error) {
          return indicator.down({ code: (error as { code?: string }).code ?? 'STORE_UNAVAILABLE' });
        }
      },
    ]);
  }
}
