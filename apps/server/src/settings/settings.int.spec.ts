// GET /config over HTTP: the effective configuration after defaults, behind the token, with the
// API token, a database password and the paths of webhook and callback URLs taken out.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import request from 'supertest';
import { createEngine } from '@engine/engine';
import { MemoryEventStore } from '@engine/event-store';
import { loadConfig } from '../config';
import { startServer, type RunningServer } from '../main';
import { effectiveConfig, REDACTED } from './effective-config';

const TOKEN = 'config-token-0123456789abcdef';
const HOOK_SECRET = 'T000/B000/XXXXXXXXXXXXXXXXXXXXXXXX';

describe('GET /config', () => {
  let dataDir: string;
  let server: RunningServer;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'config-api-'));
    const config = loadConfig({
      PORT: '0',
      DATA_DIR: dataDir,
      DATABASE_URL: 'memory:',
      API_TOKEN: TOKEN,
      BACKGROUND_AUDIT: 'false',
      ALERT_WEBHOOK_URL: `https://hooks.example.org/services/${HOOK_SECRET}`,
      CALLBACK_URL: `https://receiver.example.org/hooks/${HOOK_SECRET}`,
      CALLBACK_SECRET_REF: 'secret://callbacks/signing',
      CONCURRENCY: '4',
      CAPTCHA_ANSWER_WITHIN_MS: '120000',
    });
    const engine = createEngine({ store: new MemoryEventStore(), dataDir });
    server = await startServer(config, { engine, logDestination: new Writable({ write: (_c, _e, done) => done() }) });
  });

  afterAll(async () => {
    await server?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('needs the token', async () => {
    expect((await request(server.url).get('/config')).status).toBe(401);
  });

  it('shows the settings in force, defaults included, with secrets redacted', async () => {
    const { body, text } = await request(server.url).get('/config').set('Authorization', `Bearer ${TOKEN}`).expect(200);
    expect(body).toMatchObject({
      file: null,
      settings: {
        jobs: { concurrency: 4, maxAttempts: 3 },
        server: { apiToken: REDACTED, docsPublic: false, dataDir },
        captcha: { answerWithinMs: 120_000, retryMinMs: 10_000, warnAfter: 3 },
        callbacks: { url: `https://receiver.example.org/${REDACTED}`, secretRef: 'secret://callbacks/signing', maxAttempts: 12 },
        alerts: { webhookUrl: `https://hooks.example.org/${REDACTED}` },
        timeouts: { submitMs: 30_000 },
      },
      sources: { jobs: { concurrency: 'env', maxAttempts: 'default' } },
    });
    expect(text).not.toContain(TOKEN);
    expect(text).not.toContain(HOOK_SECRET);
  });

  it('keeps a PostgreSQL URL\'s user, host and database but not its password', () => {
    const config = loadConfig({ DATABASE_URL: 'postgres://engine:s3cr3t-pw@db.internal:5432/engine?sslmode=require', API_TOKEN: TOKEN });
    const shown = effectiveConfig(config);
    expect((shown.settings as { store: { url: string } }).store.url).toBe(`postgres://engine:${encodeURIComponent(REDACTED)}@db.internal:5432/engine`);
    expect(JSON.stringify(shown)).not.toContain('s3cr3t-pw');
  });

  it("shows each portal's own settings and hides a remote browser's endpoint but its origin", () => {
    const portals = [
      { adapter: 'portal-sim', credentialsRef: 'secret://a', settings: { jobs: { maxAttempts: 6 }, browser: { remoteEndpoint: 'ws://127.0.0.1:9222/devtools/browser/s3cr3t-id' } } },
      { adapter: 'portal-sim', credentialsRef: 'secret://b' },
    ];
    const shown = effectiveConfig(loadConfig({ API_TOKEN: TOKEN, PORTALS: JSON.stringify(portals), JOB_MAX_ATTEMPTS: '2' })) as { portals: { settings: { jobs: { maxAttempts: number }; browser: { remoteEndpoint: string | null } }; overridden: string[] }[] };
    expect(shown.portals.map((p) => p.settings.jobs.maxAttempts)).toEqual([6, 2]);
    expect(shown.portals[0].overridden.sort()).toEqual(['browser.remoteEndpoint', 'jobs.maxAttempts']);
    expect(shown.portals[0].settings.browser.remoteEndpoint).toBe(`ws://127.0.0.1:9222/${REDACTED}`);
    expect(JSON.stringify(shown)).not.toContain('s3cr3t-id');
  });
});
