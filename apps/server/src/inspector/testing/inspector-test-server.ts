// Test and benchmark support: the real server (AppModule with every feature) in-process on
// 127.0.0.1, on a given store with given effect handlers, the way main.ts composes it.
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EffectRegistry, EventStore, MachineDefinition } from '@engine/core';
import type { ArtifactStore } from '@engine/browser';
import { createEngine, type Engine, type EngineOptions } from '@engine/engine';
import { MemoryEventStore } from '@engine/event-store';
import { AppModule } from '../../app.module';
import { loadConfig } from '../../config';
import { EngineMetrics } from '../../metrics/metrics';

export interface InspectorTestServer {
  url: string;
  token: string;
  engine: Engine;
  dataDir: string;
  artifactsDir: string;
  close(): Promise<void>;
}

export interface InspectorTestServerOptions {
  store?: EventStore;
  effects?: (artifactsDir: string) => EffectRegistry;
  /** Default: the engine's machines. */
  machines?: MachineDefinition[];
  /** Default: the local folder `<dataDir>/artifacts`. */
  artifacts?: ArtifactStore;
  /** More engine options: portals, credentials, secrets, captcha policy. */
  engine?: Partial<Omit<EngineOptions, 'store' | 'dataDir' | 'artifacts' | 'effects' | 'machines'>>;
}

export async function startInspectorTestServer(options: InspectorTestServerOptions = {}): Promise<InspectorTestServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'inspector-'));
  const token = `test-token-${Math.random().toString(36).slice(2)}-inspector`;
  const config = loadConfig({ API_TOKEN: token, DATA_DIR: dataDir, DATABASE_URL: 'memory:', BACKGROUND_AUDIT: 'false', PORT: '0' });
  const artifactsDir = join(dataDir, 'artifacts');
  const engine = createEngine({
    ...options.engine,
    store: options.store ?? new MemoryEventStore(),
    dataDir,
    artifacts: options.artifacts,
    effects: options.effects?.(artifactsDir) ?? {},
    machines: options.machines,
  });
  await engine.start();
  const app = await NestFactory.create<NestExpressApplication>(AppModule.register(engine, config, new EngineMetrics()), { logger: ['error'] });
  await app.listen(0, '127.0.0.1');
  const address = app.getHttpServer().address() as { port: number };
  return {
    url: `http://127.0.0.1:${address.port}`,
    token,
    engine,
    dataDir,
    artifactsDir,
    async close() {
      await app.close();
      await engine.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
