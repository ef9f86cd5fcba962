// Starts the server: open the store, rebuild every live machine from the log, then serve.
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { ValidationError } from '@engine/core';
import type { Engine } from '@engine/engine';
import { mkdirSync } from 'node:fs';
import type { DestinationStream } from 'pino';
import { AppModule } from './app.module';
import { serveApiDocs } from './common/api-docs';
import { refuseUnreadableBodies } from './common/body-media-type';
import { createPinoLogger } from './common/pino-logger';
import { loadConfig, type ServerConfig } from './config';
import { EngineMetrics } from './metrics/metrics';
import { buildEngine } from './engine/build-engine';

export interface RunningServer {
  app: NestExpressApplication;
  engine: Engine;
  url: string;
  config: ServerConfig;
  close(): Promise<void>;
}

export interface StartServerOptions {
  /** Where the JSON log lines go (default stdout); tests capture them to check redaction. */
  logDestination?: DestinationStream;
  /** An engine built by the caller instead of from `config` (tests that need one without browsers). */
  engine?: Engine;
}

export async function startServer(config: ServerConfig = loadConfig(), options: StartServerOptions = {}): Promise<RunningServer> {
  const logger = createPinoLogger(options.logDestination, config.logLevel);
  mkdirSync(config.dataDir, { recursive: true });
  const metrics = new EngineMetrics();
  const engine = options.engine ?? (await buildEngine(config, logger, metrics));
  const restore = await engine.start();
  logger.info('engine restored from the log', { restored: restore.restored, interrupted: restore.interrupted.length });

  const app = await NestFactory.create<NestExpressApplication>(AppModule.register(engine, config, metrics), { logger: ['error', 'warn'], bodyParser: false });
  app.useBodyParser('json', { limit: config.bodyLimit });
  app.use(refuseUnreadableBodies);
  serveApiDocs(app, config);
  await app.listen(config.port, config.host);
  // Idle keep-alive connections outlive the clients' own idle timeouts (undici: 4 s, proxies: 60 s), so the
  // server never closes a socket a client is about to reuse (the request would fail with ECONNRESET).
  const http = app.getHttpServer() as { keepAliveTimeout: number; headersTimeout: number };
  http.keepAliveTimeout = 65_000;
  http.headersTimeout = 66_000;
  if (config.backgroundAudit) engine.audit.startBackground();
  const url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  return {
    app,
    engine,
    url,
    config,
    async close() {
      await app.close();
      await engine.stop();
    },
  };
}

if (require.main === module) {
  startServer()
    .then((server) => {
      const { url, config } = server;
      console.log(`engine server listening on ${url} (API docs ${url}/docs, inspector ${url}/inspector)`);
      if (config.apiTokenGenerated) console.log(`API_TOKEN was not set; generated for this run: ${config.apiToken}`);
      let closing = false;
      const shutdown = () => {
        if (closing) return;
        closing = true;
        server.close().then(
          () => process.exit(0),
          () => process.exit(1),
        );
      };
      process.on('SIGTERM', shutdown);
      process.on('SIGINT', shutdown);
    })
    .catch((error) => {
      console.error(error instanceof Error ? `${error.name}: ${error.message}` : error);
      // A refused configuration lists every refusal: the variable or key, the value and the rule.
      if (error instanceof ValidationError) for (const [place, why] of Object.entries(error.fields)) console.error(`  ${place}: ${why}`);
      process.exit(1);
    });
}
