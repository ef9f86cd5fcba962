// The API docs over HTTP, served by startServer as in production: behind the API token by
// default (the page, the JSON and the YAML), open to anyone with DOCS_PUBLIC=true, and a
// DOCS_PUBLIC the server cannot read stops the start naming the variable.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import request from 'supertest';
import { ValidationError } from '@engine/core';
import { createEngine } from '@engine/engine';
import { MemoryEventStore } from '@engine/event-store';
import { PortalSimAdapter } from '@engine/portals';
import { loadConfig } from './config';
import { startServer, type RunningServer } from './main';

const TOKEN = 'd'.repeat(32);
const roots: string[] = [];

async function serve(env: NodeJS.ProcessEnv): Promise<RunningServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'api-docs-'));
  roots.push(dataDir);
  // A portal without credentials: no master session, no browser.
  const engine = createEngine({ store: new MemoryEventStore(), dataDir, portals: [new PortalSimAdapter({ baseUrl: 'http://127.0.0.1:9' })] });
  const config = loadConfig({ PORT: '0', DATA_DIR: dataDir, DATABASE_URL: 'memory:', API_TOKEN: TOKEN, BACKGROUND_AUDIT: 'false', ...env });
  const quiet = new Writable({ write: (_chunk, _encoding, done) => done() });
  return startServer(config, { engine, logDestination: quiet });
}

afterAll(() => {
  for (const root of roots) rmSync(root, { recursive: true, force: true });
});

describe('API docs', () => {
  describe('by default', () => {
    let server: RunningServer;
    beforeAll(async () => {
      server = await serve({});
    });
    afterAll(() => server?.close());

    it('refuses /docs, /docs-json and /docs-yaml without the token, or with a wrong one, with 401', async () => {
      for (const path of ['/docs', '/docs/', '/docs-json', '/docs-yaml', '/docs/swagger-ui-init.js']) {
        const response = await request(server.url).get(path);
        expect({ path, status: response.status }).toEqual({ path, status: 401 });
        expect(response.body).toEqual({ statusCode: 401, error: 'Unauthorized', message: 'a valid bearer token is required' });
        expect((await request(server.url).get(path).set('Authorization', `Bearer ${'x'.repeat(32)}`)).status).toBe(401);
      }
    });

    it('serves them with the token', async () => {
      const auth = { Authorization: `Bearer ${TOKEN}` };
      const page = await request(server.url).get('/docs').set(auth).redirects(0);
      expect(page.status).toBe(200);
      expect(page.text).toContain('swagger');
      const document = await request(server.url).get('/docs-json').set(auth).expect(200);
      expect(Object.keys(document.body.paths)).toEqual(expect.arrayContaining(['/api/jobs', '/health']));
      expect((await request(server.url).get('/docs-yaml').set(auth)).status).toBe(200);
    });

    it('leaves the routes that were public public', async () => {
      expect((await request(server.url).get('/health')).status).toBe(200);
    });
  });

  describe('with DOCS_PUBLIC=true', () => {
    let server: RunningServer;
    beforeAll(async () => {
      server = await serve({ DOCS_PUBLIC: 'true' });
    });
    afterAll(() => server?.close());

    it('serves them without the token, and the API still needs it', async () => {
      expect((await request(server.url).get('/docs')).status).toBe(200);
      const document = await request(server.url).get('/docs-json').expect(200);
      expect(document.body.openapi).toBe('3.1.0');
      expect((await request(server.url).get('/api/jobs')).status).toBe(401);
    });
  });

  it('refuses to start with a DOCS_PUBLIC it cannot read, naming the variable', () => {
    for (const value of ['yes', '1', 'TRUE']) {
      const error = (() => {
        try {
          loadConfig({ DOCS_PUBLIC: value });
        } catch (e) {
          return e;
        }
        return undefined;
      })();
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).fields).toEqual({ DOCS_PUBLIC: `must be true or false, not ${JSON.stringify(value)}` });
    }
    expect(loadConfig({}).docsPublic).toBe(false);
    // An empty variable is an unset one: the default.
    expect(loadConfig({ DOCS_PUBLIC: '' }).docsPublic).toBe(false);
    expect(loadConfig({ DOCS_PUBLIC: 'false' }).docsPublic).toBe(false);
  });
});
