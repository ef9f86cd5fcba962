// Job search over HTTP, through the server as main.ts builds it on a SQLite store (so the index
// is the SQLite one, in the store's file): every filter, pages walked with the opaque cursor,
// `status` as one more state, a clear 400 for every malformed query, and the same answers after
// a restart on the same data. Jobs are real job machines written through the engine's host.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { JOB_MACHINE } from '@engine/machines';
import { jobInput } from '@engine/machines/testing';
import { loadConfig } from '../config';
import { startServer, type RunningServer } from '../main';

const TOKEN = 'search-token-0123456789abcdef';

let root: string;
let server: RunningServer;

async function start(): Promise<RunningServer> {
  const config = loadConfig({ PORT: '0', DATA_DIR: join(root, 'data'), DATABASE_URL: `sqlite:${join(root, 'events.db')}`, API_TOKEN: TOKEN, BACKGROUND_AUDIT: 'false' });
  return startServer(config, { logDestination: new Writable({ write: (_chunk, _encoding, done) => done() }) });
}

async function get(query: string): Promise<{ status: number; body: { jobs?: Array<{ jobId: string; state: string }>; next?: string | null; fields?: Record<string, string> } }> {
  const response = await fetch(`${server.url}/api/jobs${query}`, { headers: { Authorization: `Bearer ${TOKEN}` } });
  return { status: response.status, body: await response.json() };
}

const ids = async (query: string) => {
  const { status, body } = await get(query);
  expect([query, status]).toEqual([query, 200]);
  return body.jobs!.map((j) => j.jobId);
};

/** Every job of the search, page by page through `next`. */
async function walk(query: string, limit: number): Promise<string[]> {
  const seen: string[] = [];
  let cursor: string | null = null;
  do {
    const { body } = await get(`?${query}&limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`);
    seen.push(...body.jobs!.map((j) => j.jobId));
    cursor = body.next ?? null;
  } while (cursor);
  return seen;
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'job-search-'));
  server = await start();
  const host = server.engine.host;
  const job = (jobId: string, portal: string, createdAt: string, businessKey = `BK-${jobId}`) => host.create(JOB_MACHINE, jobId, { ...jobInput, jobId, portal, businessKey, createdAt });
  await job('a1', 'alpha', '2026-03-01T09:00:00.000Z');
  await job('a2', 'alpha', '2026-03-02T09:00:00.000Z', 'POLICY-7');
  await job('a3', 'alpha', '2026-03-03T09:00:00.000Z');
  await job('b1', 'beta', '2026-03-02T12:00:00.000Z', 'POLICY-7');
  await job('b2', 'beta', '2026-03-04T09:00:00.000Z');
  // Cancelled: final, with a `cancelled` failure; finished at the host clock's time of the CANCEL.
  for (const id of ['a2', 'b2']) await host.sendTo(JOB_MACHINE, id, { type: 'CANCEL', reason: 'test', at: '2026-03-05T00:00:00.000Z' });
}, 60_000);

afterAll(async () => {
  await server?.close();
  rmSync(root, { recursive: true, force: true });
});

describe('GET /api/jobs search', () => {
  it('filters by portal, state (repeated, comma list, or the older status), failure kind and business key', async () => {
    expect(await ids('')).toEqual(['a1', 'a2', 'b1', 'a3', 'b2']);
    expect(await ids('?portal=alpha&state=pending')).toEqual(['a1', 'a3']);
    expect(await ids('?state=pending&state=cancelled&portal=beta')).toEqual(['b1', 'b2']);
    expect(await ids('?state=pending,cancelled&portal=beta')).toEqual(['b1', 'b2']);
    expect(await ids('?status=cancelled')).toEqual(['a2', 'b2']);
    expect(await ids('?status=cancelled&state=pending&portal=alpha')).toEqual(['a1', 'a2', 'a3']);
    expect(await ids('?failureKind=cancelled')).toEqual(['a2', 'b2']);
    expect(await ids('?failureKind=login_form')).toEqual([]);
    expect(await ids('?businessKey=POLICY-7')).toEqual(['a2', 'b1']);
    expect(await ids('?businessKey=POLICY-7&state=pending')).toEqual(['b1']);
  });

  it('bounds created and finished times, from inclusive and to exclusive, with offsets or plain dates', async () => {
    expect(await ids('?createdFrom=2026-03-02&createdTo=2026-03-04')).toEqual(['a2', 'b1', 'a3']);
    expect(await ids(`?createdFrom=${encodeURIComponent('2026-03-02T10:00:00+01:00')}`)).toEqual(['a2', 'b1', 'a3', 'b2']);
    expect(await ids('?createdTo=2026-03-01T09:00:00.000Z')).toEqual([]);
    // Finished at the host clock's time of the CANCEL (the system clock's).
    const finished = await ids('?finishedFrom=2000-01-01&finishedTo=2999-12-31');
    expect(finished).toEqual(['a2', 'b2']);
    expect(await ids('?finishedTo=2000-01-01')).toEqual([]);
  });

  it('pages with an opaque cursor: every match once, in order, whatever the page size', async () => {
    const all = await ids('?limit=500');
    for (const limit of [1, 2, 4]) expect(await walk('', limit)).toEqual(all);
    expect(await walk('portal=alpha', 1)).toEqual(['a1', 'a2', 'a3']);
    expect((await get('?limit=2')).body.next).toMatch(/^[A-Za-z0-9_-]+$/);
  });

  it('answers a malformed query with a 400 naming the field', async () => {
    const { body } = await get('?limit=2');
    const cursor = body.next!;
    const tampered = `${cursor.slice(0, 4)}${cursor[4] === 'A' ? 'B' : 'A'}${cursor.slice(5)}`;
    const cases: Array<[string, string]> = [
      ['?state=bogus', 'state'],
      ['?state=pending,', 'state'],
      ['?status=pending&status=failed', 'status'],
      ['?portal=alpha&portal=beta', 'portal'],
      ['?portal=Alpha', 'portal'],
      ['?failureKind=timeout', 'failureKind'],
      ['?businessKey=', 'businessKey'],
      ['?createdFrom=yesterday', 'createdFrom'],
      ['?createdFrom=2026-03-01T09:00:00', 'createdFrom'],
      ['?finishedTo=2026-02-30', 'finishedTo'],
      ['?createdFrom=2026-03-04&createdTo=2026-03-02', 'createdTo'],
      ['?finishedFrom=2026-03-04&finishedTo=2026-03-02', 'finishedTo'],
      ['?limit=0', 'limit'],
      [`?cursor=${tampered}`, 'cursor'],
      ['?cursor=no-such-job', 'cursor'],
      ['?cursor=a.b', 'cursor'],
      ['?sort=created', 'sort'],
    ];
    for (const [query, field] of cases) {
      const answer = await get(query);
      // A list's field is named with the item: `state.0`.
      expect([query, answer.status, Object.keys(answer.body.fields ?? {}).map((f) => f.split('.')[0])]).toEqual([query, 400, [field]]);
    }
  });

  it('answers the same after a restart on the same data, from the index in the store file', async () => {
    const before = await ids('?state=pending&limit=500');
    await server.close();
    server = await start();
    expect(await server.engine.jobIndex.position()).toBeGreaterThan(0);
    expect(await ids('?state=pending&limit=500')).toEqual(before);
    expect(await ids('?failureKind=cancelled')).toEqual(['a2', 'b2']);
  });
});
