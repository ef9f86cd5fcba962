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
      concurrency: 4,
      apiToken: REDACTED,
      jobMaxAttempts: 3,
      captchaPolicy: { answerWithinMs: 120_000, retryMinMs: 10_000, warnAfter: 3 },
      callbacks: { url: `https://receiver.example.org/${REDACTED}`, secretRef: 'secret://callbacks/signing', maxAttempts: 12 },
      alertWebhookUrl: `https://hooks.example.org/${REDACTED}`,
      docsPublic: false,
    });
    expect(text).not.toContain(TOKEN);
    expect(text).not.toContain(HOOK_SECRET);
  });

  it('keeps a PostgreSQL URL\'s user, host and database but not its password', () => {
    const config = loadConfig({ DATABASE_URL: 'postgres://engine:s3cr3t-pw@db.internal:5432/engine?sslmode=require', API_TOKEN: TOKEN });
    const shown = effectiveConfig(config);
    expect(shown.storeUrl).toBe(`postgres://engine:${encodeURIComponent(REDACTED)}@db.internal:5432/engine`);
    expect(JSON.stringify(shown)).not.toContain('s3cr3t-pw');
  });
});
