// Two portal simulators behind one server (Chromium, SQLite), one of them slowed down (every
// proposal page answers late) and limited to one attempt at a time, under a global CONCURRENCY of
// 2. The slow portal's jobs are queued first: a scheduler that only went by intake order would
// give it both slots and no fast job would start before a slow one ended. The fast portal keeps a
// slot instead: all its jobs are submitted before the slow portal's first one (each of its pages
// answers seconds late), and the slow portal never has more than its one attempt in flight. /metrics shows both portals'
// load. Only order and counts are asserted, never durations.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import request from 'supertest';
import { sampleProposal } from '@engine/portals';
import { startPortalSim, type PortalSim } from '@engine/portal-sim';
import { loadConfig } from '../src/config';
import { startServer, type RunningServer } from '../src/main';
import { CREDENTIALS_REF, serverEnv, uniqueSecrets, until } from './support/e2e-env';

jest.setTimeout(240_000);

const secrets = uniqueSecrets();
const run = Date.now().toString(36).toUpperCase();
const SLOW_JOBS = 2;
const FAST_JOBS = 3;
let root: string;
let fast: PortalSim;
let slow: PortalSim;
let server: RunningServer;

const api = () => request(server.url);
const auth = () => ({ Authorization: `Bearer ${secrets.token}` });
const portalEntry = (sim: PortalSim, id: string, limits?: object) => ({ adapter: 'portal-sim', options: { baseUrl: sim.url, id }, credentialsRef: CREDENTIALS_REF, captcha: 'portal-sim', limits });
const gauge = (text: string, name: string, portal: string): number | undefined => {
  const match = new RegExp(`^${name}\\{portal="${portal}"\\} (\\d+)$`, 'm').exec(text);
  return match ? Number(match[1]) : undefined;
};

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'fairness-e2e-'));
  const users = [{ username: 'agent', password: secrets.password }];
  fast = await startPortalSim({ testHooks: true, seed: 21, users });
  slow = await startPortalSim({ testHooks: true, seed: 22, users });
  // Every proposal page of the slow portal answers late; its login and dashboard do not.
  slow.faults.set({ latency: { '/Proposal': { ms: 3_000 } } });
  const env = serverEnv(fast, join(root, 'data'), secrets, {
    CONCURRENCY: '2',
    PORTALS: JSON.stringify([portalEntry(fast, 'sim-fast'), portalEntry(slow, 'sim-slow', { concurrency: 1 })]),
  });
  // The log is not under test here: kept out of the test output.
  const quiet = new Writable({ write: (_chunk, _encoding, done) => done() });
  server = await startServer(loadConfig(env), { logDestination: quiet });
});

afterAll(async () => {
  await server?.close();
  await fast?.close();
  await slow?.close();
  rmSync(root, { recursive: true, force: true });
});

it('a slow portal queued first does not hold the fast one back: the fast portal finishes all its jobs before the slow one submits its first', async () => {
  for (const portal of ['sim-fast', 'sim-slow']) {
    await until(`${portal} master session ready`, async () => (await api().get(`/api/sessions/${portal}`).set(auth())).body.state === 'ready', 120_000);
  }
  const submit = async (portal: string, n: number) =>
    (await api().post('/api/jobs').set(auth()).set('Idempotency-Key', `fair-${run}-${portal}-${n}`).send({ portal, payload: sampleProposal(n, run) }).expect(202)).body.jobId as string;
  const slowJobs: string[] = [];
  const fastJobs: string[] = [];
  for (let n = 0; n < SLOW_JOBS; n++) slowJobs.push(await submit('sim-slow', n));
  for (let n = 0; n < FAST_JOBS; n++) fastJobs.push(await submit('sim-fast', 100 + n));

  const stateOf = async (jobId: string) => (await api().get(`/api/jobs/${jobId}`).set(auth()).expect(200)).body.state as string;
  let slowRunningMax = 0;
  let scrape = '';
  const slowSubmittedWhenFastDone = await until(
    'every fast job submitted',
    async () => {
      scrape = (await api().get('/metrics').set(auth()).expect(200)).text;
      slowRunningMax = Math.max(slowRunningMax, gauge(scrape, 'engine_portal_jobs_running', 'sim-slow') ?? 0);
      const fastStates = await Promise.all(fastJobs.map(stateOf));
      if (fastStates.some((s) => s !== 'submitted')) return null;
      const slowStates = await Promise.all(slowJobs.map(stateOf));
      return { submitted: slowStates.filter((s) => s === 'submitted').length };
    },
    180_000,
  );
  // The fast portal's throughput is not bounded by the slow one's: it is done before the slow one submitted anything.
  expect(slowSubmittedWhenFastDone.submitted).toBe(0);
  // The slow portal kept to its own concurrency of 1 (and was seen working).
  expect(slowRunningMax).toBe(1);
  for (const name of ['engine_portal_jobs_queued', 'engine_portal_jobs_running', 'engine_portal_jobs_waiting_for_rate', 'engine_portal_jobs_waiting_for_session']) {
    expect(gauge(scrape, name, 'sim-fast')).toBeDefined();
    expect(gauge(scrape, name, 'sim-slow')).toBeDefined();
  }

  // GET /api/portals (the inspector's portal strip) shows the same load and each portal's own limit.
  const { body: listed } = await api().get('/api/portals').set(auth()).expect(200);
  expect(listed.concurrency).toBe(2);
  expect(listed.portals.map((p: { portal: string; concurrencyLimit: number | null; adaptive: unknown }) => [p.portal, p.concurrencyLimit, p.adaptive])).toEqual([
    ['sim-fast', null, null],
    ['sim-slow', 1, null],
  ]);

  // And the slow portal's jobs all finish too.
  await until('every slow job submitted', async () => (await Promise.all(slowJobs.map(stateOf))).every((s) => s === 'submitted'), 180_000);
});
