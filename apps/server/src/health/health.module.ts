import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { EngineHealthIndicators } from './engine-health.indicators';
import { HealthController } from './health.controller';

@Module({ imports: [TerminusModule], controllers: [HealthController], providers: [EngineHealthIndicators] })
export class HealthModule {}
