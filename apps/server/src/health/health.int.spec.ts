// /health over HTTP against the server module: 200 when the store takes writes, 503 naming the
// part that is down — a store that cannot be written, a master session in `critical`, a session
// that claims a browser it does not have — and no token needed either way.
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { INestApplication } from '@nestjs/common';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { EngineError, stepEvent, stepStart, type EngineEvent, type EventStore, type NewEvent, type StepResult } from '@engine/core';
import { MASTER_SESSION_MACHINE } from '@engine/machines';
import { createEngine, type Engine } from '@engine/engine';
import { MemoryEventStore } from '@engine/event-store';
import { PortalSimAdapter } from '@engine/portals';
import { AppModule } from '../app.module';
import { loadConfig } from '../config';
import { EngineMetrics } from '../metrics/metrics';

const TOKEN = 'h'.repeat(32);

async function serve(store: EventStore): Promise<{ app: INestApplication; engine: Engine; close(): Promise<void> }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'health-'));
  // A portal without credentials: no master session starts, so the test writes the session's state itself.
  const engine = createEngine({ store, dataDir, portals: [new PortalSimAdapter({ baseUrl: 'http://127.0.0.1:9' })] });
  await engine.start();
  const config = loadConfig({ API_TOKEN: TOKEN, DATA_DIR: dataDir, DATABASE_URL: 'memory:', BACKGROUND_AUDIT: 'false', PORT: '0' });
  const app = await NestFactory.create(AppModule.register(engine, config, new EngineMetrics()), { logger: false });
  await app.init();
  return {
    app,
    engine,
    async close() {
      await app.close();
      await engine.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Writes a master-session state as the machine would have recorded it (`stream`: the portal's session, or an account's). */
async function recordMasterState(engine: Engine, value: string, intakeHalted: boolean, stream = 'master-portal-sim'): Promise<void> {
  const version = await engine.store.streamVersion(stream);
  await engine.store.append(
    stream,
    [{ type: 'test.state', data: {}, stateAfter: { value, context: { portal: 'portal-sim', intakeHalted }, status: 'active' }, meta: { at: new Date().toISOString(), machineId: 'master-session', machineVersion: 'test' } }],
    { expectedVersion: version === 0 ? 'no-stream' : version },
  );
  // Written by another writer than the host: the read feed sees it through the store subscription.
  await engine.feed.waitFor(stream, (entry) => (entry?.version ?? 0) > version, { signal: AbortSignal.timeout(30_000) });
}

describe('GET /health', () => {
  it('answers 200 without a token when the store takes writes; the portal without a session and its idle browser are not faults', async () => {
    const server = await serve(new MemoryEventStore());
    try {
      const response = await request(server.app.getHttpServer()).get('/health');
      expect(response.status).toBe(200);
      expect(response.body.details).toEqual({
        store: { status: 'up', writable: true },
        'session:portal-sim': { status: 'up', state: null, note: expect.any(String) },
        'browser:portal-sim': { status: 'up', alive: false, expected: false },
      });
    } finally {
      await server.close();
    }
  });

  it('answers 503 with the store down when it cannot take writes', async () => {
    const store = new MemoryEventStore();
    store.checkWritable = async () => {
      throw new EngineError('STORE_NOT_WRITABLE', 'read-only file');
    };
    const server = await serve(store);
    try {
      const response = await request(server.app.getHttpServer()).get('/health');
      expect(response.status).toBe(503);
      expect(response.body.error).toEqual({ store: { status: 'down', writable: false, code: 'STORE_NOT_WRITABLE' } });
    } finally {
      await server.close();
    }
  });

  it('falls back to a read for a store without the probe (writable unknown)', async () => {
    // An adapter written before the probe existed: everything but checkWritable.
    const withoutProbe: EventStore = Object.assign(Object.create(new MemoryEventStore()) as MemoryEventStore, { checkWritable: undefined });
    const server = await serve(withoutProbe);
    try {
      const response = await request(server.app.getHttpServer()).get('/health');
      expect(response.status).toBe(200);
      expect(response.body.details.store).toEqual({ status: 'up', writable: 'unknown' });
    } finally {
      await server.close();
    }
  });

  it('answers 503 when a master session is critical, and when a ready session has no live browser', async () => {
    const server = await serve(new MemoryEventStore());
    try {
      await recordMasterState(server.engine, 'critical', true);
      const critical = await request(server.app.getHttpServer()).get('/health');
      expect(critical.status).toBe(503);
      expect(critical.body.error).toEqual({ 'session:portal-sim': { status: 'down', state: 'critical', intakeHalted: true, updatedAt: expect.any(String) } });

      await recordMasterState(server.engine, 'ready', false);
      const browserGone = await request(server.app.getHttpServer()).get('/health');
      expect(browserGone.status).toBe(503);
      expect(browserGone.body.error).toEqual({ 'browser:portal-sim': { status: 'down', alive: false, expected: true } });
      expect(browserGone.body.info['session:portal-sim']).toMatchObject({ status: 'up', state: 'ready' });
    } finally {
      await server.close();
    }
  });
});

describe('GET /health with several accounts of a portal', () => {
  it('lists each account\'s master session and browser (the first under the portal id, another as <portal>.<account>), each down on its own', async () => {
    const server = await serve(new MemoryEventStore());
    try {
      await recordMasterState(server.engine, 'loggingIn', false);
      await recordMasterState(server.engine, 'critical', true, 'master-portal-sim.b');
      const response = await request(server.app.getHttpServer()).get('/health');
      expect(response.status).toBe(503);
      expect(response.body.details).toEqual({
        store: { status: 'up', writable: true },
        'session:portal-sim': { status: 'up', state: 'loggingIn', intakeHalted: false, updatedAt: expect.any(String) },
        'browser:portal-sim': { status: 'up', alive: false, expected: false },
        'session:portal-sim.b': { status: 'down', state: 'critical', account: 'b', intakeHalted: true, updatedAt: expect.any(String) },
        'browser:portal-sim.b': { status: 'up', alive: false, expected: false },
      });
      expect(Object.keys(response.body.error)).toEqual(['session:portal-sim.b']);
    } finally {
      await server.close();
    }
  });
});

describe('GET /health/causes', () => {
  const T0 = Date.UTC(2026, 0, 1);
  const input = { portal: 'portal-sim', credentialsRef: 'secret://portal-sim/login' };

  /** The master session's records up to `steps`, built with the host's own pure step. */
  function masterRecords(steps: Array<[number, EngineEvent]>): NewEvent[] {
    const records: NewEvent[] = [];
    let result: StepResult = stepStart(MASTER_SESSION_MACHINE, 'master-portal-sim', input, { at: T0 });
    records.push(...result.records);
    for (const [second, event] of steps) {
      result = stepEvent(MASTER_SESSION_MACHINE, 'master-portal-sim', records.length, result.state, result.snapshot, event, { at: T0 + second * 1_000 });
      records.push(...result.records);
    }
    return records;
  }

  async function appendAsAnotherWriter(engine: Engine, records: NewEvent[]): Promise<void> {
    const version = await engine.store.streamVersion('master-portal-sim');
    const fresh = records.slice(version);
    await engine.store.append('master-portal-sim', fresh, { expectedVersion: version === 0 ? 'no-stream' : version });
    await engine.feed.waitFor('master-portal-sim', (entry) => (entry?.version ?? 0) >= records.length, { signal: AbortSignal.timeout(30_000) });
  }

  it('needs the token; lists nothing while the session is ready, then the one root cause of its recovery, with a metric', async () => {
    const server = await serve(new MemoryEventStore());
    const http = () => request(server.app.getHttpServer());
    const auth = { Authorization: `Bearer ${TOKEN}` };
    try {
      expect((await http().get('/health/causes')).status).toBe(401);
      const ready: Array<[number, EngineEvent]> = [
        [1, { type: 'BROWSER_LAUNCHED' }],
        [2, { type: 'LOGGED_IN', at: new Date(T0 + 2_000).toISOString() }],
      ];
      await appendAsAnotherWriter(server.engine, masterRecords(ready));
      expect((await http().get('/health/causes').set(auth).expect(200)).body).toEqual({ incidents: [] });

      const reportedAt = new Date(T0 + 99_000).toISOString();
      await appendAsAnotherWriter(server.engine, masterRecords([...ready, [100, { type: 'FAILURE_REPORTED', jobId: 'job-42', reason: 'login_form', at: reportedAt }]]));
      const { incidents } = (await http().get('/health/causes').set(auth).expect(200)).body;
      expect(incidents).toEqual([
        expect.objectContaining({
          portal: 'portal-sim',
          session: 'portal-sim',
          account: null,
          state: 'recovering',
          since: new Date(T0 + 100_000).toISOString(),
          rootCause: { kind: 'failureReport', reason: 'login_form', jobId: 'job-42', reportedAt },
          intakeHalted: false,
          dependents: { waiting: 0, active: 0, jobIds: [] },
        }),
      ]);
      const metrics = (await http().get('/metrics').set(auth).expect(200)).text;
      expect(metrics).toContain('engine_open_incidents{portal="portal-sim",account="",state="recovering",cause="failureReport"} 1');
      expect(metrics).toContain('engine_incident_waiting_jobs{portal="portal-sim",account=""} 0');
    } finally {
      await server.close();
    }
  });
});
