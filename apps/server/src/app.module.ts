// The server's root module: the engine's ports as global providers, one module per feature,
// the bearer-token guard and the error mapping on everything.
import { DynamicModule, Global, Module, type Type, type ValueProvider } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import type { Engine } from '@engine/engine';
import { AuditModule } from './audit/audit.module';
import { CallbacksModule } from './callbacks/callbacks.module';
import { AuthGuard } from './common/auth.guard';
import { EngineExceptionFilter } from './common/engine-exception.filter';
import { CONFIG } from './common/tokens';
import type { ServerConfig } from './config';
import { engineProviders } from './engine/engine.providers';
import { HealthModule } from './health/health.module';
import { JobsModule } from './jobs/jobs.module';
import { PortalsModule } from './portals/portals.module';
import { SessionsModule } from './sessions/sessions.module';
import { SettingsModule } from './settings/settings.module';
import { InspectorModule } from './inspector/inspector.module';
import { EngineMetrics } from './metrics/metrics';
import { MetricsModule } from './metrics/metrics.module';
import { WorkflowsModule } from './workflows/workflows.module';

@Global()
@Module({})
class EngineModule {
  static register(engine: Engine, config: ServerConfig, metrics: EngineMetrics): DynamicModule {
    const providers: ValueProvider[] = [...engineProviders(engine), { provide: CONFIG, useValue: config }, { provide: EngineMetrics, useValue: metrics }];
    return { module: EngineModule, providers, exports: providers.map((p) => p.provide) };
  }
}

/** Feature modules; later features append here. */
export const FEATURE_MODULES: Type[] = [AuditModule, CallbacksModule, HealthModule, MetricsModule, InspectorModule, JobsModule, PortalsModule, SessionsModule, SettingsModule, WorkflowsModule];

@Module({})
export class AppModule {
  static register(engine: Engine, config: ServerConfig, metrics: EngineMetrics): DynamicModule {
    return {
      module: AppModule,
      imports: [EngineModule.register(engine, config, metrics), ...FEATURE_MODULES],
      providers: [
        { provide: APP_GUARD, useClass: AuthGuard },
        { provide: APP_FILTER, useClass: EngineExceptionFilter },
      ],
    };
  }
}
