// Property-based fuzzing of every API route (fast-check) against the server as main.ts starts
// it: bad or missing tokens, path ids with traversals and odd encodings, unknown and malformed
// query fields, wrong-typed, oversized, malformed and wrongly typed bodies. Every request gets a
// 4xx, never a 5xx, and the event log does not grow. The engine has a portal but no
// credentials, so no browser starts and the log holds still: a pending job and its stream are
// real targets (a bad body must not cancel it).
import * as fc from 'fast-check';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { createEngine, type Engine } from '@engine/engine';
import { MemoryEventStore } from '@engine/event-store';
import { PortalSimAdapter, sampleProposal } from '@engine/portals';
import { loadConfig } from '../src/config';
import { startServer, type RunningServer } from '../src/main';
import { rawClient } from './support/raw-http';

jest.setTimeout(180_000);

const TOKEN = 'fuzz-token-0123456789abcdef';
const RUNS = 200;

type FieldType = 'string' | 'object' | 'boolean' | 'number';
interface Route {
  method: 'GET' | 'POST' | 'DELETE';
  /** OpenAPI spelling: `{param}`. */
  path: string;
  /** Keys of a strict query schema, when the route reads the query. */
  query?: readonly string[];
  /** Fields of a strict JSON body schema, when the route reads one. */
  body?: Readonly<Record<string, FieldType>>;
}

/** Every route in the OpenAPI document but the public /health (a test below keeps them in step). */
const ROUTES: readonly Route[] = [
  { method: 'POST', path: '/api/jobs', body: { portal: 'string', payload: 'object', externalId: 'string', callbackUrl: 'string' } },
  { method: 'GET', path: '/api/jobs', query: ['status', 'state', 'portal', 'failureKind', 'businessKey', 'createdFrom', 'createdTo', 'finishedFrom', 'finishedTo', 'limit', 'cursor'] },
  { method: 'GET', path: '/api/jobs/stats' },
  { method: 'GET', path: '/api/jobs/{id}' },
  { method: 'POST', path: '/api/jobs/{id}/cancel', body: { reason: 'string' } },
  { method: 'POST', path: '/api/jobs/{id}/retry', body: { confirmNotSubmitted: 'boolean' } },
  { method: 'GET', path: '/api/job-status/{externalId}' },
  { method: 'GET', path: '/api/callbacks', query: ['state'] },
  { method: 'GET', path: '/api/callbacks/{jobId}' },
  { method: 'POST', path: '/api/callbacks/{jobId}/resend' },
  { method: 'GET', path: '/api/sessions' },
  { method: 'POST', path: '/api/sessions/leases', body: { portal: 'string', account: 'string', ttlMs: 'number', mode: 'string' } },
  { method: 'GET', path: '/api/sessions/leases', query: [] },
  { method: 'GET', path: '/api/sessions/leases/{id}' },
  { method: 'DELETE', path: '/api/sessions/leases/{id}', body: {} },
  { method: 'GET', path: '/api/sessions/{portal}' },
  { method: 'GET', path: '/api/sessions/{portal}/recoveries' },
  { method: 'POST', path: '/api/sessions/{portal}/recover', body: { level: 'string' } },
  { method: 'GET', path: '/api/sessions/{portal}/captcha' },
  { method: 'POST', path: '/api/sessions/{portal}/captcha', body: { answer: 'string', challengeId: 'string' } },
  { method: 'GET', path: '/api/portals' },
  { method: 'GET', path: '/api/portals/{portal}/queue' },
  { method: 'POST', path: '/api/portals/{portal}/pause', body: { reason: 'string' } },
  { method: 'POST', path: '/api/portals/{portal}/resume', body: {} },
  { method: 'GET', path: '/api/streams/{id}/events', query: ['from', 'limit'] },
  { method: 'GET', path: '/api/streams/{id}/state', query: ['version'] },
  { method: 'GET', path: '/api/audit/verify' },
  { method: 'GET', path: '/metrics' },
  { method: 'GET', path: '/config' },
  { method: 'GET', path: '/health/causes' },
  { method: 'GET', path: '/api/inspector/streams', query: ['kind', 'state', 'status', 'text', 'cursor', 'limit'] },
  { method: 'GET', path: '/api/inspector/streams/{id}' },
  { method: 'GET', path: '/api/inspector/streams/{id}/actions' },
  { method: 'GET', path: '/api/inspector/streams/{id}/state', query: ['version'] },
  { method: 'GET', path: '/api/inspector/streams/{id}/chart', query: ['collapsed'] },
  { method: 'GET', path: '/api/inspector/streams/{id}/screenshots/{name}' },
  // Server-sent events: a valid request never ends, so every generated one is invalid.
  { method: 'GET', path: '/api/inspector/live', query: ['stream', 'related'] },
  { method: 'POST', path: '/api/workflows', body: { sid: 'string' } },
  { method: 'GET', path: '/api/workflows', query: [] },
  { method: 'GET', path: '/api/workflows/{sid}' },
  { method: 'POST', path: '/api/workflows/{sid}/reset', body: {} },
  { method: 'DELETE', path: '/api/workflows/{sid}' },
  { method: 'POST', path: '/api/workflows/{sid}/files', query: ['name'] },
  { method: 'GET', path: '/api/workflows/{sid}/files' },
  { method: 'GET', path: '/api/workflows/{sid}/files/{name}' },
  { method: 'POST', path: '/api/workflows/{sid}/steps', body: { steps: 'object', values: 'object', credentialsRef: 'string', origin: 'string', timeoutMs: 'number' } },
  { method: 'POST', path: '/api/workflows/{sid}/downloads', body: { url: 'string', selector: 'string', name: 'string' } },
  { method: 'POST', path: '/api/workflows/{sid}/screenshot', body: { name: 'string', fullPage: 'boolean' } },
];

/** Hand-made URL fragments, sent as written: traversals, encoded traversals, NULs, broken escapes. */
const RAW_IDS = ['..', '../', '..%2F', '..%2f..%2fetc%2fpasswd', '%2e%2e', '%2e%2e%2f', '.%2e/', '%252e%252e%252f', '..%5c..%5cwindows', '..;', '....//', '%00', 'a%00b', '%', '%zz', '%E0%A4%A', '%C0%AE%C0%AE', '%u002e', '.', '~', 'job-..%2F..%2Fx', "'%20OR%201=1--", '%3Cscript%3E'];

const BAD_AUTH = fc.oneof(
  fc.constant<Record<string, string>>({}),
  fc.string({ maxLength: 200 }).filter((t) => t !== TOKEN && /^[\x21-\x7e]*$/.test(t)).map((t) => ({ Authorization: `Bearer ${t}` })),
  fc.constantFrom(`Bearer ${TOKEN}x`, `Bearer ${TOKEN.slice(0, -1)}`, `bearer${TOKEN}`, `Basic ${Buffer.from(`u:${TOKEN}`).toString('base64')}`, `Bearer  ${TOKEN} x`, 'Bearer', TOKEN, `Token ${TOKEN}`).map((h) => ({ Authorization: h })),
  fc.constant({ Authorization: `Bearer ${'A'.repeat(4000)}` }),
);

let root: string;
let engine: Engine;
let server: RunningServer;
let client: ReturnType<typeof rawClient>;
let jobId: string;
const externalId = 'fuzz-external-1';

const eventCount = async () => (await engine.store.readAll()).length;
const auth = { Authorization: `Bearer ${TOKEN}` };

/** Existing (or at least well-formed) values for each path parameter, so a case faults in one place only. */
function validParam(path: string, name: string): string {
  if (name === 'id') return path.startsWith('/api/jobs') ? jobId : `job-${jobId}`;
  return { externalId, portal: 'portal-sim', sid: 'wf-none', name: 'shot.png', jobId }[name] as string;
}

function fill(route: Route, override: Record<string, string> = {}): string {
  return route.path.replace(/\{(\w+)\}/g, (_, name: string) => override[name] ?? encodeURIComponent(validParam(route.path, name)));
}

function queryString(entries: Array<[string, string]>): string {
  return entries.length === 0 ? '' : `?${entries.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&')}`;
}

async function expectRefused(method: string, path: string, headers: Record<string, string>, body?: string, exact?: number): Promise<void> {
  const before = await eventCount();
  const response = await client.send(method, path, headers, body);
  const where = `${method} ${path.slice(0, 300)} → ${response.status} ${response.text.slice(0, 300)}`;
  if (response.status < 400 || response.status > 499 || (exact !== undefined && response.status !== exact)) throw new Error(`expected ${exact ?? '4xx'}: ${where}`);
  const after = await eventCount();
  if (after !== before) throw new Error(`the log grew from ${before} to ${after} events: ${where}`);
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'api-fuzz-'));
  const dataDir = join(root, 'data');
  // No credentials reference: no master session and no browser; the job waits in pending.
  engine = createEngine({ store: new MemoryEventStore(), dataDir, portals: [new PortalSimAdapter({ baseUrl: 'http://127.0.0.1:9' })] });
  const config = loadConfig({ PORT: '0', DATA_DIR: dataDir, DATABASE_URL: 'memory:', API_TOKEN: TOKEN, BACKGROUND_AUDIT: 'false' });
  const quiet = new Writable({ write: (_chunk, _encoding, done) => done() });
  server = await startServer(config, { engine, logDestination: quiet });
  jobId = (await engine.intake.submitJob({ portal: 'portal-sim', payload: sampleProposal(1, 'fuzz'), idempotencyKey: 'fuzz-1', externalId })).jobId;
  client = rawClient(Number(new URL(server.url).port));
});

afterAll(async () => {
  client?.close();
  await server?.close();
  rmSync(root, { recursive: true, force: true });
});

describe('API fuzzing', () => {
  it('covers every route of the OpenAPI document, and the targets exist', async () => {
    const document = await client.send('GET', '/docs-json', auth);
    const paths = JSON.parse(document.text).paths as Record<string, Record<string, unknown>>;
    const operations = Object.entries(paths).flatMap(([path, methods]) => Object.keys(methods).map((m) => `${m.toUpperCase()} ${path}`));
    expect(operations.filter((o) => o !== 'GET /health').sort()).toEqual(ROUTES.map((r) => `${r.method} ${r.path}`).sort());
    expect((await client.send('GET', `/api/jobs/${jobId}`, auth)).status).toBe(200);
    expect(JSON.parse((await client.send('GET', `/api/jobs/${jobId}`, auth)).text).state).toBe('pending');
  });

  it('refuses a missing or wrong token on every route with 401', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...ROUTES), BAD_AUTH, fc.option(fc.dictionary(fc.string({ maxLength: 10 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 })), async (route, headers, body) => {
        const json = body === null ? undefined : JSON.stringify(body);
        await expectRefused(route.method, fill(route), { ...headers, ...(json ? { 'Content-Type': 'application/json' } : {}) }, json, 401);
      }),
      { numRuns: RUNS },
    );
  });

  const withParams = ROUTES.filter((r) => r.path.includes('{'));
  const encodedId = fc.oneof(
    fc.string({ maxLength: 80 }).map(encodeURIComponent),
    fc.string({ unit: 'grapheme', maxLength: 40 }).map(encodeURIComponent),
    fc.string({ maxLength: 40 }).map((s) => encodeURIComponent(encodeURIComponent(s))),
    fc.string({ minLength: 2_000, maxLength: 6_000 }).map(encodeURIComponent),
    fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/),
    fc.constantFrom(...RAW_IDS),
    fc.tuple(fc.constantFrom(...RAW_IDS), fc.stringMatching(/^[A-Za-z0-9_.-]{0,20}$/)).map(([raw, rest]) => `${rest}${raw}${rest}`),
  );

  it('answers ids with traversals, odd encodings, huge or unknown values with a 4xx on every route that takes one', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...withParams), fc.nat(), encodedId, async (route, pick, id) => {
        const names = [...route.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
        const name = names[pick % names.length];
        let decoded: string | null;
        try {
          decoded = decodeURIComponent(id);
        } catch {
          decoded = null;
        }
        // Not a fault: the valid value itself, an empty segment (another route), or the stats route.
        fc.pre(id !== '' && decoded !== validParam(route.path, name) && decoded !== 'stats' && !(route.method === 'GET' && /^(\.|%2e)$/i.test(id)));
        const body = route.body ? '{}' : undefined;
        await expectRefused(route.method, fill(route, { [name]: id }), { ...auth, ...(body ? { 'Content-Type': 'application/json' } : {}) }, body);
      }),
      { numRuns: RUNS },
    );
  });

  it('refuses unknown, repeated, malformed and huge query fields with 400', async () => {
    const withQuery = ROUTES.filter((r) => r.query);
    const value = fc.oneof(fc.string({ maxLength: 30 }), fc.constantFrom('-1', '0', '1e400', 'NaN', 'Infinity', '1.5', '0x10', ' 1', '[]', '{}', 'null', 'true'), fc.string({ minLength: 1_000, maxLength: 4_000 }));
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...withQuery),
        fc.array(fc.tuple(fc.nat(), value), { maxLength: 4 }),
        fc.stringMatching(/^[a-z_]{1,12}$/),
        value,
        fc.constantFrom('plain', 'bracket', 'proto'),
        async (route, known, unknownKey, unknownValue, shape) => {
          fc.pre(!route.query!.includes(`x_${unknownKey}`));
          const entries: Array<[string, string]> = known.filter(() => route.query!.length > 0).map(([i, v]) => [route.query![i % route.query!.length], v]);
          const unknown: [string, string] = shape === 'plain' ? [`x_${unknownKey}`, unknownValue] : shape === 'bracket' ? [`${route.query![0] ?? 'a'}[${unknownKey}]`, unknownValue] : ['__proto__[polluted]', unknownValue];
          await expectRefused(route.method, `${fill(route)}${queryString([...entries, unknown])}`, auth, undefined, 400);
        },
      ),
      { numRuns: RUNS },
    );
  });

  const withBody = ROUTES.filter((r) => r.body);
  const wrongTyped = (type: FieldType) =>
    type === 'string'
      ? fc.oneof(fc.integer(), fc.boolean(), fc.constant(null), fc.array(fc.string(), { maxLength: 3 }), fc.object({ maxDepth: 1 }))
      : type === 'boolean'
        ? fc.oneof(fc.integer(), fc.string(), fc.constant(null), fc.array(fc.boolean(), { maxLength: 3 }), fc.object({ maxDepth: 1 }))
        : type === 'number'
          ? fc.oneof(fc.string(), fc.boolean(), fc.constant(null), fc.double({ noInteger: true }), fc.array(fc.integer(), { maxLength: 3 }), fc.object({ maxDepth: 1 }))
          : fc.oneof(fc.integer(), fc.string(), fc.boolean(), fc.constant(null), fc.array(fc.integer(), { maxLength: 3 }));
  const badBody = (route: Route) => {
    const fields = Object.entries(route.body!);
    const known = fc.record(Object.fromEntries(fields.map(([k]) => [k, fc.jsonValue({ maxDepth: 2 })])), { requiredKeys: [] });
    const json = (content: fc.Arbitrary<unknown>) => content.map((c) => ({ type: 'application/json', text: JSON.stringify(c) }));
    const options: fc.Arbitrary<{ type: string; text: string }>[] = [
      json(fc.tuple(known, fc.stringMatching(/^[a-z]{1,10}$/), fc.jsonValue({ maxDepth: 2 })).map(([k, extra, v]) => ({ ...k, [`x_${extra}`]: v }))),
      json(fc.oneof(fc.array(fc.jsonValue({ maxDepth: 1 }), { maxLength: 3 }), fc.integer(), fc.string(), fc.boolean(), fc.constant(null))),
      fc.constantFrom('{', '{"a":', '{"reason": "x",}', "{'a': 1}", '[1, 2', 'undefined', '\u0000', '{"a":1}{"b":2}').map((text) => ({ type: 'application/json', text })),
      fc.tuple(fc.constantFrom('text/plain', 'application/x-www-form-urlencoded', 'application/xml', 'multipart/form-data; boundary=x', 'application/json; charset=utf-16'), fc.string({ minLength: 1, maxLength: 200 })).map(([type, text]) => ({ type, text })),
      fc.nat({ max: 64 * 1024 }).map((n) => ({ type: 'application/json', text: JSON.stringify({ pad: 'x'.repeat(300 * 1024 + n) }) })),
    ];
    for (const [name, type] of fields) {
      options.push(json(wrongTyped(type).map((v) => ({ [name]: v }))));
      if (type === 'string') options.push(json(fc.nat({ max: 20_000 }).map((n) => ({ [name]: 'y'.repeat(300 + n) }))));
    }
    return fc.oneof(...options);
  };

  it('refuses wrong-typed, unknown, oversized, malformed and non-JSON bodies with a 4xx, and a pending job stays pending', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...withBody).chain((route) => fc.tuple(fc.constant(route), badBody(route))),
        async ([route, body]) => {
          const headers = { ...auth, 'Content-Type': body.type, ...(route.path === '/api/jobs' ? { 'Idempotency-Key': 'fuzz-key-1' } : {}) };
          await expectRefused(route.method, fill(route), headers, body.text);
        },
      ),
      { numRuns: RUNS },
    );
    expect(JSON.parse((await client.send('GET', `/api/jobs/${jobId}`, auth)).text).state).toBe('pending');
  });

  it('refuses a body it would not read (415) instead of acting as if there were none: a form-encoded cancel, JSON declared UTF-16', async () => {
    const form = await client.send('POST', `/api/jobs/${jobId}/cancel`, { ...auth, 'Content-Type': 'application/x-www-form-urlencoded' }, 'reason=customer');
    expect(form.status).toBe(415);
    expect(JSON.parse(form.text).code).toBe('UNSUPPORTED_MEDIA_TYPE');
    const utf16 = await client.send('POST', '/api/workflows', { ...auth, 'Content-Type': 'application/json; charset=utf-16' }, ' ');
    expect(utf16.status).toBe(415);
    expect(JSON.parse((await client.send('GET', `/api/jobs/${jobId}`, auth)).text).state).toBe('pending');
    expect((await client.send('GET', '/api/workflows', auth)).text).toContain('"items":[]');
  });

  it('refuses a valid job without a valid Idempotency-Key with 400', async () => {
    const job = JSON.stringify({ portal: 'portal-sim', payload: sampleProposal(2, 'fuzz') });
    const key = fc.oneof(fc.constant(null), fc.string({ maxLength: 200 }).filter((k) => !/^[A-Za-z0-9_.:-]{1,128}$/.test(k) && /^[\x20-\x7e]*$/.test(k) && k.trim() === k), fc.stringMatching(/^[A-Za-z0-9]{129,300}$/));
    await fc.assert(
      fc.asyncProperty(key, async (k) => {
        await expectRefused('POST', '/api/jobs', { ...auth, 'Content-Type': 'application/json', ...(k === null ? {} : { 'Idempotency-Key': k }) }, job, 400);
      }),
      { numRuns: RUNS },
    );
  });
});
