// The inspector API over HTTP against the real server in-process (memory store, real
// machines): authentication on every data route including the live feed, list paging and
// filters, time travel computed by replay, and the screenshot route's refusals.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { MemoryEventStore } from '@engine/event-store';
import { jobInput } from '@engine/machines/testing';
import { JOB_MACHINE } from '@engine/machines';
import { masterSessionWithRecovery } from './testing/master-session-history';
import { startInspectorTestServer, type InspectorTestServer } from './testing/inspector-test-server';

// The chart layout (elkjs, in process) takes seconds alone and many times that on a loaded machine.
jest.setTimeout(240_000);

let server: InspectorTestServer;
const get = (path: string, token: string | null = server.token, headers: Record<string, string> = {}) =>
  fetch(`${server.url}${path}`, { headers: token === null ? headers : { ...headers, Authorization: `Bearer ${token}` } });

beforeAll(async () => {
  // Cloning succeeds, validation has no handler (EFFECT_FAILED): job-j03 ends up waiting for a retry.
  server = await startInspectorTestServer({ effects: () => ({ cloneSession: { run: async () => ({ type: 'CLONED', at: new Date().toISOString() }) } }) });
  for (let i = 0; i < 25; i++) await server.engine.host.create('job', `j${String(i).padStart(2, '0')}`, { ...jobInput, jobId: `j${i}`, businessKey: `BK-${i}` });
  await server.engine.host.send('job-j03', { type: 'START' });
  await server.engine.host.idle();
});

afterAll(async () => {
  await server?.close();
});

describe('inspector API', () => {
  it.each([
    ['/api/inspector/streams'],
    ['/api/inspector/streams/job-j01'],
    ['/api/inspector/streams/job-j01/state?version=1'],
    ['/api/inspector/streams/job-j01/chart'],
    ['/api/inspector/streams/job-j01/screenshots/art-x.png'],
    ['/api/inspector/live'],
    ['/api/inspector/live?stream=job-j01'],
  ])('refuses %s without a valid bearer token (401), with or without a token in the query', async (path) => {
    expect((await get(path, null)).status).toBe(401);
    expect((await get(path, 'wrong-token-wrong-token')).status).toBe(401);
    const sep = path.includes('?') ? '&' : '?';
    expect((await get(`${path}${sep}token=${server.token}`, null)).status).toBe(401);
  });

  it('serves the page without a token, and the page holds no data', async () => {
    const response = await get('/inspector', null);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(await response.text()).not.toContain('job-j');
    expect((await get('/inspector/../../package.json', null)).status).toBe(404);
    expect((await get('/inspector/index.html.bak', null)).status).toBe(404);
    for (const [asset, type] of [['chart-view.js', 'text/javascript'], ['chart-view.css', 'text/css']]) {
      const served = await get(`/inspector/${asset}`, null);
      expect(served.status).toBe(200);
      expect(served.headers.get('content-type')).toContain(type);
    }
  });

  it('opens the live feed with the bearer header and announces it is ready', async () => {
    const controller = new AbortController();
    const response = await fetch(`${server.url}/api/inspector/live?stream=job-j01`, { headers: { Authorization: `Bearer ${server.token}` }, signal: controller.signal });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    const { value } = await reader.read();
    expect(new TextDecoder().decode(value)).toContain('event: ready');
    controller.abort();
  });

  it('pages the stream list with cursors and filters it', async () => {
    const first = await (await get('/api/inspector/streams?limit=10')).json();
    expect(first.items).toHaveLength(10);
    expect(first.total).toBe(25);
    const second = await (await get(`/api/inspector/streams?limit=10&cursor=${first.next}`)).json();
    expect(second.items[0].stream).toBe('job-j10');
    const waiting = await (await get('/api/inspector/streams?state=waiting&kind=job')).json();
    expect(waiting.items.map((s: { stream: string }) => s.stream)).toEqual(['job-j03']);
    expect((await get('/api/inspector/streams?limit=0')).status).toBe(400);
    expect((await get('/api/inspector/streams?bogus=1')).status).toBe(400);
  });

  it('shows a stream with its chart, timeline and current state', async () => {
    const view = await (await get('/api/inspector/streams/job-j03')).json();
    expect(view.machine).toEqual({ id: 'job', version: JOB_MACHINE.version, recordedVersion: JOB_MACHINE.version });
    expect(view.current).toMatchObject({ state: 'waiting', status: 'active' });
    expect(view.chart.nodes.map((n: { path: string }) => n.path)).toContain('submitted');
    const stored = await server.engine.store.read('job-j03');
    expect(view.timeline.entries.map((e: { type: string }) => e.type)).toEqual(stored.map((e) => e.type));
    expect(view.timeline.entries.map((e: { state: string }) => e.state).slice(0, 4)).toEqual(['pending', 'cloning', 'validating', 'waiting']);
    expect((await get('/api/inspector/streams/job-nope')).status).toBe(404);
    expect((await get('/api/inspector/streams/..%2F..%2Fetc')).status).toBe(400);
  });

  it('lays a chart out again with compound states collapsed, and refuses anything but compound states of the machine', async () => {
    await server.engine.store.append('master-chart', masterSessionWithRecovery('master-chart'), { expectedVersion: 'no-stream' });
    const view = await (await get('/api/inspector/streams/master-chart')).json();
    expect(view.chart.collapsed).toEqual([]);
    const response = await get('/api/inspector/streams/master-chart/chart?collapsed=recovering,critical');
    expect(response.status).toBe(200);
    const chart = await response.json();
    expect(chart.collapsed).toEqual(['critical', 'recovering']);
    expect(chart.nodes.filter((n: { collapsed: boolean }) => n.collapsed).map((n: { path: string }) => n.path).sort()).toEqual(['critical', 'recovering']);
    expect(chart.nodes.some((n: { path: string }) => n.path.startsWith('recovering.'))).toBe(false);
    expect(chart.width).toBeLessThan(view.chart.width);
    expect(await (await get('/api/inspector/streams/master-chart/chart')).json()).toEqual(view.chart);
    expect((await get('/api/inspector/streams/master-chart/chart?collapsed=ready')).status).toBe(400);
    expect((await get('/api/inspector/streams/master-chart/chart?collapsed=nowhere')).status).toBe(400);
    expect((await get('/api/inspector/streams/master-chart/chart?collapsed=recovering;critical')).status).toBe(400);
    expect((await get('/api/inspector/streams/master-chart/chart?bogus=1')).status).toBe(400);
    expect((await get('/api/inspector/streams/job-j01/chart?collapsed=pending')).status).toBe(400);
    expect((await get('/api/inspector/streams/job-nope/chart')).status).toBe(404);
  });

  it('computes time travel by replay: a stored snapshot edited behind the log is reported, not shown', async () => {
    const travel = await (await get('/api/inspector/streams/job-j03/state?version=2')).json();
    expect(travel).toMatchObject({ version: 2, type: 'START', state: 'cloning', replayed: true });
    // Edit the stored stateAfter of version 2 (as a bad migration would): a reader of stored
    // snapshots would show "submitted"; replay recomputes "cloning" and reports the difference.
    const log = (server.engine.store as MemoryEventStore).log;
    const row = log.events.find((e) => e.stream === 'job-j03' && e.version === 2) as { stateAfter: string };
    row.stateAfter = row.stateAfter.replace('"cloning"', '"submitted"');
    const tampered = await (await get('/api/inspector/streams/job-j03/state?version=2')).json();
    expect(tampered).toMatchObject({ replayed: false, mismatch: { version: 2, machineVersion: JOB_MACHINE.version } });
    expect(tampered.state).toBeUndefined();
    expect((await get('/api/inspector/streams/job-j03/state?version=99')).status).toBe(404);
  });

  it('serves only screenshots the stream references, by generated name, from inside the artifacts folder', async () => {
    mkdirSync(join(server.artifactsDir, 'screenshot'), { recursive: true });
    writeFileSync(join(server.artifactsDir, 'screenshot', 'art-unreferenced.png'), 'png');
    writeFileSync(join(server.dataDir, 'secret.png'), 'not an artifact');
    expect((await get('/api/inspector/streams/job-j01/screenshots/art-unreferenced.png')).status).toBe(404);
    expect((await get('/api/inspector/streams/job-j01/screenshots/..%2F..%2Fsecret.png')).status).toBe(400);
    expect((await get('/api/inspector/streams/job-j01/screenshots/ART.png')).status).toBe(400);
  });
});
