// The server SIGKILLed in the middle of a batch and started again on the same data folder
// (SQLite): jobs that had finished keep exactly their state and reference, the unfinished ones
// finish, every job ends submitted, and the portal simulator saw each business key once —
// including a job killed in `submitting` after the portal had recorded its submission, which is
// reconciled by a lookup instead of being submitted again.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sampleProposal } from '@engine/portals';
import { startPortalSim, type PortalSim } from '@engine/portal-sim';
import { serverEnv, uniqueSecrets, until } from './support/e2e-env';
import { killOrphans, spawnServer, type ServerProcess } from './support/server-process';

jest.setTimeout(600_000);

interface JobView {
  jobId: string;
  state: string;
  final: boolean;
  reference: string | null;
  attempts: number;
  businessKey: string;
}

const JOBS = 6;
const secrets = uniqueSecrets();
const run = `R${Date.now().toString(36).toUpperCase()}`;
let root: string;
let dataDir: string;
let sim: PortalSim;
let server: ServerProcess | undefined;

async function api(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(`${server!.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${secrets.token}`, 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (response.status >= 400) throw new Error(`${method} ${path}: HTTP ${response.status} ${text}`);
  return JSON.parse(text);
}

const jobs = async (): Promise<JobView[]> => (await api('GET', '/api/jobs?limit=500')).jobs;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'server-restart-'));
  dataDir = join(root, 'data');
  sim = await startPortalSim({ testHooks: true, seed: 23, users: [{ username: 'agent', password: secrets.password }] });
});

afterAll(async () => {
  if (server) {
    server.child.kill('SIGTERM');
    await server.exited;
  }
  await killOrphans(root);
  await sim?.close();
  rmSync(root, { recursive: true, force: true });
});

describe('the server killed mid-run and restarted', () => {
  it('keeps the finished jobs as they were, finishes the rest, and submits each job exactly once', async () => {
    const env = serverEnv(sim, dataDir, secrets);
    server = await spawnServer(env);
    await until('master session ready', async () => (await api('GET', '/api/sessions/portal-sim')).state === 'ready', 120_000);

    for (let n = 0; n < JOBS; n++) {
      await api('POST', '/api/jobs', { portal: 'portal-sim', payload: sampleProposal(n, run) }, { 'idempotency-key': `${run}-${n}` });
    }
    await until('two jobs finished', async () => (await jobs()).filter((v) => v.final).length >= 2, 300_000);
    // From now on the portal records a submission and never answers: a job is caught in
    // `submitting` with its submission already on the portal, the moment a crash is most costly.
    sim.faults.set({ duplicateTrap: 'hang' });
    const chassis = (v: JobView) => v.businessKey.toUpperCase();
    const before = await until(
      'a job submitting with its submission recorded on the portal',
      async () => {
        const views = await jobs();
        const recorded = sim.stats().submissions;
        return views.some((v) => v.state === 'submitting' && recorded[chassis(v)] === 1) ? views : null;
      },
      300_000,
    );
    server.child.kill('SIGKILL');
    expect(await server.exited).toBe('SIGKILL');
    await killOrphans(root);
    sim.faults.reset();
    const caught = before.filter((v) => v.state === 'submitting' && sim.stats().submissions[chassis(v)] === 1);
    expect(caught.length).toBeGreaterThanOrEqual(1);

    const finishedBefore = before.filter((v) => v.final);
    expect(before.some((v) => !v.final)).toBe(true);
    server = await spawnServer(env);
    const afterRestart = new Map((await jobs()).map((v) => [v.jobId, v]));
    for (const job of finishedBefore) {
      expect(afterRestart.get(job.jobId)).toMatchObject({ state: job.state, reference: job.reference, attempts: job.attempts, final: true });
    }

    const after = await until('every job finished after the restart', async () => {
      const views = await jobs();
      return views.length === JOBS && views.every((v) => v.final) ? views : null;
    }, 300_000);
    for (const job of after) {
      expect(job).toMatchObject({ state: 'submitted', reference: expect.stringMatching(/^PRP-\d{4}-\d{6}$/) });
    }
    const stats = sim.stats();
    expect(stats.duplicates).toBe(0);
    for (let n = 0; n < JOBS; n++) expect(stats.submissions[sampleProposal(n, run).vehicle.chassisNo.toUpperCase()]).toBe(1);
    expect(new Set(after.map((v) => v.reference)).size).toBe(JOBS);
    // The caught jobs were looked up on the portal after the restart, not submitted again.
    for (const job of caught) {
      const { events } = await api('GET', `/api/streams/job-${job.jobId}/events`);
      expect(events.map((e: { stateAfter: { value: unknown } }) => e.stateAfter.value)).toEqual(expect.arrayContaining(['in_doubt', 'reconciling', 'submitted']));
    }
    const audit = await api('GET', '/api/audit/verify');
    expect(audit).toMatchObject({ ok: true, chainProblems: [], replayProblems: [] });
  });
});
