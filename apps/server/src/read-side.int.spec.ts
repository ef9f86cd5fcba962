// One job followed from POST /api/jobs to `submitted` through the real server in-process, with
// effects that answer only when the test lets them: at every step the API, the inspector's live
// feed and /metrics are read, and all three must show the same committed version and state, in
// the same order. They read one feed (the host's StateFeed), so they cannot disagree.
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { INestApplication } from '@nestjs/common';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EngineEvent } from '@engine/core';
import { createEngine, JobIntake, type Engine } from '@engine/engine';
import { MemoryEventStore } from '@engine/event-store';
import { PortalSimAdapter, sampleProposal } from '@engine/portals';
import { AppModule } from './app.module';
import { loadConfig } from './config';
import { gatedJobEffects, type GatedJobEffects } from './inspector/testing/gated-job-effects';
import { EngineMetrics } from './metrics/metrics';

jest.setTimeout(120_000);

const TOKEN = 'r'.repeat(32);
const at = () => new Date().toISOString();

/** The SSE feed of one stream, parsed: every `event` message's version and state, in arrival order. */
function liveFeed(url: string, stream: string) {
  const seen: { version: number; state: string }[] = [];
  const waiters: Array<() => void> = [];
  const controller = new AbortController();
  const ready = (async () => {
    const response = await fetch(`${url}/api/inspector/live?stream=${stream}`, { headers: { Authorization: `Bearer ${TOKEN}` }, signal: controller.signal });
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    let announced: () => void = () => undefined;
    const opened = new Promise<void>((resolve) => (announced = resolve));
    void (async () => {
      for (;;) {
        const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true }));
        if (done) return;
        buffer += decoder.decode(value, { stream: true });
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const message = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          if (message.includes('event: ready')) announced();
          const data = message.split('\n').find((line) => line.startsWith('data: '));
          if (!message.includes('event: event') || !data) continue;
          const parsed = JSON.parse(data.slice('data: '.length)) as { version: number; state: string };
          seen.push({ version: parsed.version, state: parsed.state });
          for (const wake of waiters.splice(0)) wake();
        }
      }
    })();
    await opened;
  })();
  return {
    ready,
    seen,
    /** Resolves once the feed has delivered `version`. */
    async reach(version: number): Promise<{ version: number; state: string }> {
      const deadline = Date.now() + 30_000;
      for (;;) {
        const hit = seen.find((s) => s.version === version);
        if (hit) return hit;
        if (Date.now() > deadline) throw new Error(`the live feed never delivered version ${version} (saw ${JSON.stringify(seen)})`);
        await new Promise<void>((resolve) => {
          waiters.push(resolve);
          setTimeout(resolve, 1_000).unref();
        });
      }
    },
    close: () => controller.abort(),
  };
}

describe('one read side: API, inspector feed and /metrics', () => {
  let engine: Engine;
  let app: INestApplication;
  let url: string;
  let dataDir: string;
  let gates: GatedJobEffects;
  const onClose: Array<() => void> = [];

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'read-side-'));
    gates = gatedJobEffects(join(dataDir, 'artifacts'), { gated: () => true, submit: () => 'ok' });
    const portal = new PortalSimAdapter({ baseUrl: 'http://127.0.0.1:9' });
    engine = createEngine({
      store: new MemoryEventStore(),
      dataDir,
      portals: [portal],
      credentials: { [portal.id]: 'secret://portal-sim/login' },
      effects: {
        ...gates.registry,
        // The master session logs in at once (no browser): this test is about what is read, not the portal.
        launchBrowser: { run: async () => ({ type: 'BROWSER_LAUNCHED' }) },
        login: { run: async (): Promise<EngineEvent> => ({ type: 'LOGGED_IN', at: at() }) },
        probeSession: { run: async (p: { probe: number }): Promise<EngineEvent> => ({ type: 'PROBE_OK', probe: p.probe, at: at() }) },
      },
    });
    await engine.start();
    const config = loadConfig({ API_TOKEN: TOKEN, DATA_DIR: dataDir, DATABASE_URL: 'memory:', BACKGROUND_AUDIT: 'false', PORT: '0' });
    app = await NestFactory.create(AppModule.register(engine, config, new EngineMetrics()), { logger: false });
    await app.listen(0, '127.0.0.1');
    url = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;
    await engine.feed.waitFor('master-portal-sim', (e) => e?.state?.value === 'ready', { signal: AbortSignal.timeout(30_000) });
  });

  afterAll(async () => {
    for (const close of onClose) close();
    await app?.close();
    await engine?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const call = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const response = await fetch(`${url}${path}`, {
      method,
      headers: { Authorization: `Bearer ${TOKEN}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, body: response.headers.get('content-type')?.includes('json') ? await response.json() : await response.text() };
  };

  /** The one job state whose `engine_jobs` gauge is 1 (every other state is 0). */
  const metricsState = async (): Promise<string[]> => {
    const text = (await call('GET', '/metrics')).body as string;
    return [...text.matchAll(/^engine_jobs\{state="([a-z_]+)"\} 1$/gm)].map((m) => m[1]);
  };

  it('every step of the job is seen at the same version and state by all three, in the same order', async () => {
    const key = 'read-side-1';
    const jobId = JobIntake.jobIdFor('portal-sim', key);
    const live = liveFeed(url, `job-${jobId}`);
    onClose.push(() => live.close());
    await live.ready;
    const submitted = await call('POST', '/api/jobs', { portal: 'portal-sim', payload: sampleProposal(1, 'read-side') }, { 'idempotency-key': key });
    expect(submitted.status).toBe(202);
    // The answer is the committed state, not a lagging copy: the job exists at the version it names.
    expect(submitted.body).toMatchObject({ jobId, created: true, state: 'pending' });

    const observed: { version: number; state: string }[] = [];
    for (;;) {
      const view = (await call('GET', `/api/jobs/${jobId}`)).body as { version: number; state: string; final: boolean };
      const fed = await live.reach(view.version);
      expect(fed).toEqual({ version: view.version, state: view.state });
      expect(await metricsState()).toEqual([view.state]);
      observed.push({ version: view.version, state: view.state });
      if (view.final) break;
      // The job holds still while its effect waits; releasing it lets exactly one outcome commit.
      await gates.release();
      await engine.feed.waitFor(`job-${jobId}`, (e) => (e?.version ?? 0) > view.version, { signal: AbortSignal.timeout(30_000) });
    }

    expect(observed.at(-1)?.state).toBe('submitted');
    // The scheduler may start the job before the first GET: the feed saw it pending at version 1.
    expect(live.seen[0]).toEqual({ version: 1, state: 'pending' });
    expect([...new Set(observed.map((o) => o.state))]).toEqual(expect.arrayContaining(['cloning', 'validating', 'filling', 'submitting', 'submitted']));
    // The API's observations are the feed's, in the same order, versions strictly rising.
    const feedOrder = live.seen.map((s) => s.version);
    const apiOrder = observed.map((o) => o.version);
    expect(apiOrder).toEqual([...apiOrder].sort((a, b) => a - b));
    expect(new Set(apiOrder).size).toBe(apiOrder.length);
    expect(apiOrder.every((v) => feedOrder.includes(v))).toBe(true);
    expect(feedOrder).toEqual([...feedOrder].sort((a, b) => a - b));
  });
});
