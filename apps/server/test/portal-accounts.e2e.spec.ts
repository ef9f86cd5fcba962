// Three accounts on one portal simulator behind one server (Chromium, SQLite), each with its own
// master session and a share of one attempt. The third account's portal sessions are killed
// again each time it has logged back in, and its re-logins are slowed down, while jobs keep
// coming (a few always unfinished, so a job meets each kill: that is how the session learns).
// Every job is submitted exactly once (the simulator counts submissions per business key), the
// third account recovers each time on its own ladder, and the other two keep submitting while it
// recovers: a job submitted through them lies, in the log, between the third session leaving
// `ready` and logging in again. Only order and counts are asserted, never durations.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import request from 'supertest';
import { sampleProposal } from '@engine/portals';
import { startPortalSim, type PortalSim } from '@engine/portal-sim';
import { loadConfig } from '../src/config';
import { startServer, type RunningServer } from '../src/main';
import { serverEnv, uniqueSecrets, until } from './support/e2e-env';

jest.setTimeout(300_000);

const secrets = uniqueSecrets();
const run = Date.now().toString(36).toUpperCase();
const PORTAL = 'sim-acc';
/** Jobs kept unfinished while the kills go on, and the most jobs submitted in all. */
const UNFINISHED = 6;
const MAX_JOBS = 60;
const KILLS = 3;
const ACCOUNTS = [
  { id: 'main', username: 'agent-a' },
  { id: 'second', username: 'agent-b' },
  { id: 'third', username: 'agent-c' },
];
let root: string;
let sim: PortalSim;
let server: RunningServer;

const api = () => request(server.url);
const auth = () => ({ Authorization: `Bearer ${secrets.token}` });

interface RecordedEvent {
  position: number;
  type: string;
  data: Record<string, unknown>;
  stateAfter: { value: unknown } | null;
}
const eventsOf = async (stream: string): Promise<RecordedEvent[]> => (await api().get(`/api/streams/${stream}/events`).set(auth()).expect(200)).body.events;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'accounts-e2e-'));
  sim = await startPortalSim({ testHooks: true, seed: 31, users: ACCOUNTS.map((a) => ({ username: a.username, password: secrets.password })) });
  const env = serverEnv(
    sim,
    join(root, 'data'),
    secrets,
    {
      CONCURRENCY: '3',
      PORTALS: JSON.stringify([
        {
          adapter: 'portal-sim',
          options: { baseUrl: sim.url, id: PORTAL },
          captcha: 'portal-sim',
          accounts: ACCOUNTS.map((a) => ({ id: a.id, credentialsRef: `secret://${PORTAL}/${a.id}`, concurrency: 1 })),
        },
      ]),
    },
    Object.fromEntries(ACCOUNTS.map((a) => [`secret://${PORTAL}/${a.id}`, { username: a.username, password: secrets.password }])),
  );
  const quiet = new Writable({ write: (_chunk, _encoding, done) => done() });
  server = await startServer(loadConfig(env), { logDestination: quiet });
});

afterAll(async () => {
  await server?.close();
  await sim?.close();
  rmSync(root, { recursive: true, force: true });
});

it('spreads the jobs over three accounts, submits each exactly once while one account is killed again and again, and the others keep working', async () => {
  const sessions = ['sim-acc', 'sim-acc.second', 'sim-acc.third'];
  for (const session of sessions) {
    await until(`${session} ready`, async () => (await api().get(`/api/sessions/${session}`).set(auth())).body.state === 'ready', 120_000);
  }
  const listed = (await api().get('/api/sessions').set(auth()).expect(200)).body.sessions as { portal: string; session: string; account: string | null }[];
  expect(listed.map((s) => [s.portal, s.session, s.account]).sort()).toEqual([
    [PORTAL, 'sim-acc', 'main'],
    [PORTAL, 'sim-acc.second', 'second'],
    [PORTAL, 'sim-acc.third', 'third'],
  ]);
  // Every login from now on (only the third account's re-logins) answers late: its recovery takes a while.
  sim.faults.set({ latency: { '/Login.aspx': { ms: 1_500 } } });

  const jobs: string[] = [];
  const submit = async () => {
    const n = jobs.length;
    jobs.push((await api().post('/api/jobs').set(auth()).set('Idempotency-Key', `acc-${run}-${n}`).send({ portal: PORTAL, payload: sampleProposal(300 + n, run) }).expect(202)).body.jobId);
  };
  const stateOf = async (jobId: string) => (await api().get(`/api/jobs/${jobId}`).set(auth()).expect(200)).body.state as string;

  // Kill the third account's portal sessions each time it is logged in again, KILLS times, with jobs coming all along.
  let kills = 0;
  let lastReadySince: string | null = null;
  await until(
    `${KILLS} kills of the third account, each after it logged in again`,
    async () => {
      const unfinished = (await Promise.all(jobs.map(stateOf))).filter((s) => s !== 'submitted').length;
      for (let i = unfinished; i < UNFINISHED && jobs.length < MAX_JOBS; i++) await submit();
      const third = (await api().get('/api/sessions/sim-acc.third').set(auth()).expect(200)).body as { state: string; readySince: string | null };
      if (third.state === 'ready' && third.readySince !== lastReadySince) {
        lastReadySince = third.readySince;
        if (sim.killSessions('agent-c') > 0) kills += 1;
      }
      return kills >= KILLS;
    },
    240_000,
  );
  await until('every job submitted', async () => (await Promise.all(jobs.map(stateOf))).every((s) => s === 'submitted'), 240_000);

  // Exactly once, every one of them.
  const stats = sim.stats();
  expect(stats.duplicates).toBe(0);
  expect(Object.values(stats.submissions)).toEqual(Array(jobs.length).fill(1));

  // The third account went through its recovery ladder again and again; the others never did.
  const recoveriesOf = async (session: string) => (await api().get(`/api/sessions/${session}/recoveries`).set(auth()).expect(200)).body.attempts.length as number;
  expect(await recoveriesOf('sim-acc.third')).toBeGreaterThanOrEqual(KILLS - 1);
  expect(await recoveriesOf('sim-acc')).toBe(0);
  expect(await recoveriesOf('sim-acc.second')).toBe(0);

  // Each job's attempts name their account; the submissions came through every account.
  const submittedVia = new Map<string, { account: string; position: number }>();
  for (const jobId of jobs) {
    const events = await eventsOf(`job-${jobId}`);
    const starts = events.filter((e) => e.type === 'START');
    expect(starts.every((e) => typeof e.data.account === 'string')).toBe(true);
    const submitted = events.find((e) => e.type === 'SUBMITTED' || e.type === 'SUBMISSION_FOUND');
    const lastStart = starts.filter((e) => e.position < (submitted?.position ?? Infinity)).pop();
    if (submitted && lastStart) submittedVia.set(jobId, { account: String(lastStart.data.account), position: submitted.position });
  }
  expect(submittedVia.size).toBe(jobs.length);
  const byAccount = (account: string) => [...submittedVia.values()].filter((s) => s.account === account).length;
  expect(byAccount('main')).toBeGreaterThan(0);
  expect(byAccount('second')).toBeGreaterThan(0);

  // While the third account recovered (from leaving `ready` to logging in again), the others submitted.
  const third = await eventsOf('master-sim-acc.third');
  const windows: [number, number][] = [];
  let openedAt: number | null = null;
  for (const e of third) {
    const value = JSON.stringify(e.stateAfter?.value ?? null);
    if (openedAt === null && value.includes('recovering')) openedAt = e.position;
    else if (openedAt !== null && value === '"ready"') {
      windows.push([openedAt, e.position]);
      openedAt = null;
    }
  }
  expect(windows.length).toBeGreaterThanOrEqual(KILLS - 1);
  const duringRecovery = [...submittedVia.values()].filter((s) => s.account !== 'third' && windows.some(([from, to]) => s.position > from && s.position < to));
  expect(duringRecovery.length).toBeGreaterThan(0);
});
