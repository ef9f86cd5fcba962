// The workflow API over HTTP (supertest) against the real server module with real Chromium:
// every route, 401 without the token, 400 for bad sids, names and unknown fields, 404 for
// unknown or deleted workflows, 409 for commands the state forbids, 413/415 for uploads, 422 for
// a failed step, 413 for a download over the cap, files listed and fetched, no event appended by
// a refused request, and a deleted workflow's sid used again.
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { createEngine, type Engine } from '@engine/engine';
import { MemoryEventStore } from '@engine/event-store';
import { AppModule } from '../app.module';
import { loadConfig } from '../config';
import { EngineMetrics } from '../metrics/metrics';

jest.setTimeout(60_000);

const TOKEN = 'w'.repeat(32);
let root: string;
let dataDir: string;
let engine: Engine;
let app: INestApplication;
let site: Server;
let siteUrl: string;

const api = () => request(app.getHttpServer());
const auth = { Authorization: `Bearer ${TOKEN}` };
const upload = (sid: string, name: string, bytes: Buffer) =>
  api().post(`/api/workflows/${sid}/files`).query({ name }).set(auth).set('Content-Type', 'application/octet-stream').send(bytes);
const eventCount = async () => (await engine.store.heads()).reduce((n, h) => n + h.version, 0);

/** A page with a link to a small file, and a file over the download cap. */
function startSite(): Promise<void> {
  site = createServer((req, res) => {
    if (req.url === '/small.txt') return void res.end('small file');
    if (req.url === '/big.bin') return void res.end(Buffer.alloc(2048, 7));
    if (req.url === '/stream.bin') {
      // No Content-Length: the cap is met while the bytes arrive.
      for (let i = 0; i < 8; i++) res.write(Buffer.alloc(256, i));
      return void res.end();
    }
    res.setHeader('Content-Type', 'text/html');
    res.end('<!doctype html><title>t</title><h1 id="title">Files</h1><a id="small" href="/small.txt">small</a>');
  });
  return new Promise((resolve) =>
    site.listen(0, '127.0.0.1', () => {
      siteUrl = `http://127.0.0.1:${(site.address() as { port: number }).port}`;
      resolve();
    }),
  );
}

beforeAll(async () => {
  await startSite();
  root = mkdtempSync(join(tmpdir(), 'workflows-http-'));
  dataDir = join(root, 'data');
  mkdirSync(join(root, 'chromium'));
  const config = loadConfig({ API_TOKEN: TOKEN, DATA_DIR: dataDir, DATABASE_URL: 'memory:', BACKGROUND_AUDIT: 'false', PORT: '0' });
  engine = createEngine({
    store: new MemoryEventStore(),
    dataDir,
    browser: { tempDir: join(root, 'chromium'), closeTimeoutMs: 3_000 },
    workflows: { maxUploadBytes: 1024, maxDownloadBytes: 1024 },
  });
  await engine.start();
  app = await NestFactory.create(AppModule.register(engine, config, new EngineMetrics()), { logger: ['error'] });
  await app.init();
});

afterAll(async () => {
  await app?.close();
  await engine?.stop();
  site?.closeAllConnections();
  await new Promise((resolve) => site?.close(resolve));
  rmSync(root, { recursive: true, force: true });
});

describe('workflow API', () => {
  it.each([
    ['post', '/api/workflows'],
    ['get', '/api/workflows'],
    ['get', '/api/workflows/w1'],
    ['post', '/api/workflows/w1/reset'],
    ['delete', '/api/workflows/w1'],
    ['post', '/api/workflows/w1/files?name=a.txt'],
    ['get', '/api/workflows/w1/files'],
    ['get', '/api/workflows/w1/files/a.txt'],
    ['post', '/api/workflows/w1/steps'],
    ['post', '/api/workflows/w1/downloads'],
    ['post', '/api/workflows/w1/screenshot'],
  ] as const)('refuses %s %s without a valid bearer token (401)', async (method, path) => {
    expect((await api()[method](path)).status).toBe(401);
    expect((await api()[method](path).set('Authorization', 'Bearer not-the-token-at-all')).status).toBe(401);
  });

  it('creates a workflow with a given sid (201) and one with a generated sid', async () => {
    const given = await api().post('/api/workflows').set(auth).send({ sid: 'w1' });
    expect(given.status).toBe(201);
    expect(given.body).toMatchObject({ sid: 'w1', state: 'active', files: [] });
    const generated = await api().post('/api/workflows').set(auth);
    expect(generated.status).toBe(201);
    expect(generated.body.sid).toMatch(/^[A-Za-z0-9_-]{1,64}$/);
    expect((await api().delete(`/api/workflows/${generated.body.sid}`).set(auth)).status).toBe(200);
  });

  it('refuses a sid that is taken (409)', async () => {
    const response = await api().post('/api/workflows').set(auth).send({ sid: 'w1' });
    expect(response.status).toBe(409);
    expect(response.body.code).toBe('INVALID_COMMAND');
  });

  it.each([['../x'], ['..'], ['%2e%2e'], ['a/b'], ['x'.repeat(65)], ['a\u0000b'], [''], [5]])('refuses to create sid %p (400), appending nothing', async (sid) => {
    const before = await eventCount();
    const response = await api().post('/api/workflows').set(auth).send({ sid });
    expect(response.status).toBe(400);
    expect(response.body.fields).toHaveProperty('sid');
    expect(await eventCount()).toBe(before);
  });

  it('refuses unknown fields (400)', async () => {
    const response = await api().post('/api/workflows').set(auth).send({ sid: 'w9', owner: 'me' });
    expect(response.status).toBe(400);
    expect(response.body.fields).toEqual({ owner: 'unknown field' });
    expect((await api().get('/api/workflows?state=active').set(auth)).status).toBe(400);
    expect((await api().post('/api/workflows/w1/reset').set(auth).send({ hard: true })).status).toBe(400);
  });

  it('uploads a file into the workflow\'s own folder (201) and lists it', async () => {
    const response = await upload('w1', 'scan 01.pdf', Buffer.from('%PDF-1.4 w1'));
    expect(response.status).toBe(201);
    expect(response.body.files).toEqual([{ name: 'scan 01.pdf', size: 11, kind: 'upload', uploadedAt: expect.any(String) }]);
    expect(readFileSync(join(dataDir, 'workflows', 'w1', 'scan 01.pdf'), 'utf8')).toBe('%PDF-1.4 w1');
  });

  it('lists workflows with age, last use, state and files; another workflow sees none of w1\'s files', async () => {
    expect((await api().post('/api/workflows').set(auth).send({ sid: 'w2' })).status).toBe(201);
    const response = await api().get('/api/workflows').set(auth);
    expect(response.status).toBe(200);
    const bySid = Object.fromEntries(response.body.items.map((w: { sid: string }) => [w.sid, w]));
    expect(bySid.w1).toMatchObject({ state: 'active', files: [{ name: 'scan 01.pdf', size: 11 }] });
    expect(bySid.w1.ageMs).toEqual(expect.any(Number));
    expect(bySid.w1.lastUsedAt).toEqual(expect.any(String));
    expect(bySid.w2).toMatchObject({ state: 'active', files: [] });
    expect(readdirSync(join(dataDir, 'workflows', 'w2')).filter((f) => !f.startsWith('.'))).toEqual([]);
    expect((await api().get('/api/workflows/w2').set(auth)).body).toMatchObject({ sid: 'w2', files: [] });
  });

  it.each([['..%2Fevil.txt'], ['%2e%2e'], ['..'], ['a%00b'], ['%2Fetc%2Fpasswd'], ['.hidden'], ['x'.repeat(129)]])('refuses file name %s (400)', async (name) => {
    const before = await eventCount();
    const response = await api().post(`/api/workflows/w1/files?name=${name}`).set(auth).set('Content-Type', 'application/octet-stream').send(Buffer.from('evil'));
    expect(response.status).toBe(400);
    expect(response.body.fields).toHaveProperty('name');
    expect(await eventCount()).toBe(before);
    expect(existsSync(join(dataDir, 'workflows', 'evil.txt'))).toBe(false);
    expect(existsSync(join(dataDir, 'evil.txt'))).toBe(false);
  });

  it('refuses an upload without a name, with extra query fields, or not sent as octet-stream', async () => {
    expect((await api().post('/api/workflows/w1/files').set(auth).set('Content-Type', 'application/octet-stream').send(Buffer.from('x'))).status).toBe(400);
    expect((await upload('w1', 'a.txt', Buffer.from('x')).query({ mode: 'append' })).status).toBe(400);
    const json = await api().post('/api/workflows/w1/files?name=a.txt').set(auth).send({ content: 'eA==' });
    expect(json.status).toBe(415);
  });

  it('refuses an upload above the limit (413) and writes nothing', async () => {
    const before = await eventCount();
    const response = await upload('w1', 'big.bin', Buffer.alloc(1025, 1));
    expect(response.status).toBe(413);
    expect(response.body.code).toBe('PAYLOAD_TOO_LARGE');
    expect(existsSync(join(dataDir, 'workflows', 'w1', 'big.bin'))).toBe(false);
    expect(await eventCount()).toBe(before);
  });

  it.each([['%2e%2e'], ['..%2Fx'], ['x'.repeat(65)], ['x'.repeat(5000)], ['a%00b'], ['a.b'], ['%E0%A4%A']])('refuses sid %s on every route (400)', async (sid) => {
    expect((await api().get(`/api/workflows/${sid}`).set(auth)).status).toBe(400);
    expect((await api().post(`/api/workflows/${sid}/reset`).set(auth)).status).toBe(400);
    expect((await api().delete(`/api/workflows/${sid}`).set(auth)).status).toBe(400);
    expect((await upload(sid, 'a.txt', Buffer.from('x'))).status).toBe(400);
  });

  it('a raw ../ in the path matches no workflow route', async () => {
    expect((await api().post('/api/workflows/../x/reset').set(auth)).status).toBe(404);
  });

  it('answers 404 for unknown workflows', async () => {
    for (const response of [
      await api().get('/api/workflows/nobody').set(auth),
      await api().post('/api/workflows/nobody/reset').set(auth),
      await api().delete('/api/workflows/nobody').set(auth),
      await upload('nobody', 'a.txt', Buffer.from('x')),
    ]) {
      expect(response.status).toBe(404);
      expect(response.body.code).toBe('NOT_FOUND');
    }
  });

  it('resets a workflow (200): files gone from the listing and the folder', async () => {
    const response = await api().post('/api/workflows/w1/reset').set(auth);
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ sid: 'w1', state: 'active', files: [] });
    expect(readdirSync(join(dataDir, 'workflows', 'w1')).filter((f) => !f.startsWith('.'))).toEqual([]);
  });

  it('refuses a reset or an upload while resetting (409)', async () => {
    await engine.host.send('workflow-w2', { type: 'RESET', at: new Date().toISOString() });
    const reset = await api().post('/api/workflows/w2/reset').set(auth);
    expect(reset.status).toBe(409);
    expect(reset.body.code).toBe('INVALID_COMMAND');
    expect((await upload('w2', 'a.txt', Buffer.from('x'))).status).toBe(409);
    await engine.host.idle();
  });

  it('runs steps on the workflow page (200) and answers what they extracted', async () => {
    const response = await api()
      .post('/api/workflows/w1/steps')
      .set(auth)
      .send({ origin: siteUrl, steps: [{ name: 'open', actions: [{ goto: '/' }], extract: { title: { selector: '#title' }, link: { selector: '#small', attribute: 'href' } } }] });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ sid: 'w1', steps: [{ index: 0, name: 'open', page: '/', extracted: { title: 'Files', link: '/small.txt' } }] });
  });

  it('refuses bad steps (400) by their path, appending nothing', async () => {
    const before = await eventCount();
    const response = await api()
      .post('/api/workflows/w1/steps')
      .set(auth)
      .send({ steps: [{ name: 'x', actions: [{ fill: { selector: '#a', from: 'nothing' } }] }] });
    expect(response.status).toBe(400);
    expect(response.body.fields).toEqual({ 'steps[0].actions[0].fill.from': 'payload has no property nothing' });
    expect((await api().post('/api/workflows/w1/steps').set(auth).send({})).status).toBe(400);
    expect((await api().post('/api/workflows/nobody/steps').set(auth).send({ steps: [{ name: 'x', actions: [{ goto: '/' }] }] })).status).toBe(404);
    expect(await eventCount()).toBe(before);
  });

  it('names the step that failed (422) with the steps done before it', async () => {
    const response = await api()
      .post('/api/workflows/w1/steps')
      .set(auth)
      .send({ steps: [{ name: 'home', actions: [{ goto: `${siteUrl}/` }] }, { name: 'press', actions: [{ click: '#missing' }] }] });
    expect(response.status).toBe(422);
    expect(response.body).toMatchObject({ code: 'STEP_FAILED', step: { index: 1, name: 'press', code: 'UNEXPECTED_PAGE' }, completed: [{ index: 0, name: 'home' }] });
  });

  it('downloads a file of the page\'s origin (201), lists it and sends it back; refuses one over the cap (413)', async () => {
    const created = await api().post('/api/workflows/w1/downloads').set(auth).send({ selector: '#small', name: 'small.txt' });
    expect(created.status).toBe(201);
    const listed = await api().get('/api/workflows/w1/files').set(auth);
    expect(listed.status).toBe(200);
    expect(listed.body.items).toEqual([{ name: 'small.txt', size: 10, kind: 'download', uploadedAt: expect.any(String) }]);
    const file = await api().get('/api/workflows/w1/files/small.txt').set(auth).buffer(true).parse((res, done) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => done(null, Buffer.concat(chunks)));
    });
    expect(file.status).toBe(200);
    expect(file.headers['content-type']).toBe('application/octet-stream');
    expect(file.headers['content-disposition']).toBe('attachment; filename="small.txt"');
    expect((file.body as Buffer).toString('utf8')).toBe('small file');

    const before = await eventCount();
    const big = await api().post('/api/workflows/w1/downloads').set(auth).send({ url: '/big.bin', name: 'big.bin' });
    expect(big.status).toBe(413);
    expect(big.body.code).toBe('DOWNLOAD_TOO_LARGE');
    expect(existsSync(join(dataDir, 'workflows', 'w1', 'big.bin'))).toBe(false);
    const streamed = await api().post('/api/workflows/w1/downloads').set(auth).send({ url: `${siteUrl}/stream.bin`, name: 'stream.bin' });
    expect(streamed.status).toBe(413);
    expect(readdirSync(join(dataDir, 'workflows', 'w1')).filter((f) => !f.startsWith('.'))).toEqual(['small.txt']);
    expect(await eventCount()).toBe(before);
    expect((await api().post('/api/workflows/w1/downloads').set(auth).send({ url: '/x', name: '../x' })).status).toBe(400);
  });

  it('stores a screenshot (201), listed with its kind and served as image/png', async () => {
    const response = await api().post('/api/workflows/w1/screenshot').set(auth).send({ name: 'page.png' });
    expect(response.status).toBe(201);
    expect(response.body.files.map((f: { name: string; kind: string }) => [f.name, f.kind])).toContainEqual(['page.png', 'screenshot']);
    const png = await api().get('/api/workflows/w1/files/page.png').set(auth);
    expect(png.status).toBe(200);
    expect(png.headers['content-type']).toBe('image/png');
    expect((await api().post('/api/workflows/w1/screenshot').set(auth).send({ name: 'page.jpg' })).status).toBe(400);
  });

  it.each([['..%2Fw2%2Fx'], ['.downloads'], ['%2e%2e']])('refuses to send file %s (400); an unrecorded name is 404', async (name) => {
    expect((await api().get(`/api/workflows/w1/files/${name}`).set(auth)).status).toBe(400);
    expect((await api().get('/api/workflows/w1/files/none.txt').set(auth)).status).toBe(404);
  });

  it('deletes a workflow (200): folder removed, then 404 everywhere until the sid is created again', async () => {
    const response = await api().delete('/api/workflows/w1').set(auth);
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ sid: 'w1', state: 'closed' });
    expect(existsSync(join(dataDir, 'workflows', 'w1'))).toBe(false);
    expect((await api().get('/api/workflows/w1').set(auth)).status).toBe(404);
    expect((await api().delete('/api/workflows/w1').set(auth)).status).toBe(404);
    expect((await api().get('/api/workflows').set(auth)).body.items.map((w: { sid: string }) => w.sid)).toEqual(['w2']);
    const again = await api().post('/api/workflows').set(auth).send({ sid: 'w1' });
    expect(again.status).toBe(201);
    expect(again.body).toMatchObject({ sid: 'w1', state: 'active', files: [] });
    expect((await api().get('/api/workflows/w1/files').set(auth)).body.items).toEqual([]);
    // The first workflow's stream is kept, closed; the new one has its own.
    expect((await engine.store.read('workflow-w1')).pop()?.stateAfter).toMatchObject({ value: 'closed' });
    expect((await engine.store.read('workflow-w1.2')).length).toBeGreaterThan(0);
  });

  it('documents its routes in the OpenAPI document', () => {
    const document = SwaggerModule.createDocument(app, new DocumentBuilder().addBearerAuth().build());
    expect(Object.keys(document.paths)).toEqual(
      expect.arrayContaining([
        '/api/workflows',
        '/api/workflows/{sid}',
        '/api/workflows/{sid}/reset',
        '/api/workflows/{sid}/files',
        '/api/workflows/{sid}/files/{name}',
        '/api/workflows/{sid}/steps',
        '/api/workflows/{sid}/downloads',
        '/api/workflows/{sid}/screenshot',
      ]),
    );
    expect(document.paths['/api/workflows/{sid}/files'].post?.tags).toEqual(['workflows']);
  });
});
