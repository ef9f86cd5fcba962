// The whole server (main.ts's startServer on SQLite) with the real portal simulator and
// Chromium, driven only through HTTP: a job's life from intake to a PRP- reference, list,
// stats and lookup by external id, cancel before and after submit.started, retry refused where
// unsafe, the master session's state and a forced recovery in its history, the audit
// endpoints, /docs with the token, /health without a token, /metrics with one — and at the end, the log of
// the whole run holds neither the portal password nor the API token. A job with a callbackUrl
// posts its signed outcome to a receiver on loopback; bad callback URLs are refused.
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import request from 'supertest';
import { callbackSignature, JobIntake } from '@engine/engine';
import { sampleProposal } from '@engine/portals';
import { startPortalSim, type PortalSim } from '@engine/portal-sim';
import { loadConfig } from '../src/config';
import { startServer, type RunningServer } from '../src/main';
import { serverEnv, uniqueSecrets, until } from './support/e2e-env';

jest.setTimeout(180_000);

const secrets = uniqueSecrets();
const run = Date.now().toString(36).toUpperCase();
const logLines: string[] = [];
let root: string;
let sim: PortalSim;
let server: RunningServer;
const CALLBACK_SECRET = `cb-${Date.now().toString(36)}-signing-key`;
const callbacksReceived: { headers: IncomingHttpHeaders; body: string }[] = [];
let receiver: Server;
let receiverUrl: string;

const api = () => request(server.url);
const auth = () => ({ Authorization: `Bearer ${secrets.token}` });
const getJob = async (id: string) => (await api().get(`/api/jobs/${id}`).set(auth()).expect(200)).body;
const submit = (n: number, key = `life-${run}-${n}`) =>
  api().post('/api/jobs').set(auth()).set('Idempotency-Key', key).send({ portal: 'portal-sim', payload: sampleProposal(n, run), externalId: `ext-${run}-${n}` });

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'server-e2e-'));
  sim = await startPortalSim({ testHooks: true, seed: 11, users: [{ username: 'agent', password: secrets.password }] });
  const logs = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logLines.push(...chunk.toString().split('\n').filter(Boolean));
      done();
    },
  });
  receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    req.on('end', () => {
      callbacksReceived.push({ headers: req.headers, body });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks/jobs`;
  const env = serverEnv(sim, join(root, 'data'), secrets, { CALLBACK_SECRET_REF: 'secret://callbacks/signing' }, {
    'secret://callbacks/signing': { username: 'callbacks', password: CALLBACK_SECRET },
  });
  server = await startServer(loadConfig(env), { logDestination: logs });
});

afterAll(async () => {
  await server?.close();
  await sim?.close();
  await new Promise<void>((resolve) => (receiver ? receiver.close(() => resolve()) : resolve()));
  rmSync(root, { recursive: true, force: true });
});

describe('the server with the portal simulator and Chromium', () => {
  let jobId: string;

  it('logs its master session in; /health (no token) reports the store writable, the session ready and its browser alive', async () => {
    await until('master session ready', async () => (await api().get('/api/sessions/portal-sim').set(auth())).body.state === 'ready');
    const health = await api().get('/health').expect(200);
    expect(health.body.status).toBe('ok');
    expect(health.body.details).toEqual({
      store: { status: 'up', writable: true },
      'session:portal-sim': { status: 'up', state: 'ready', intakeHalted: false, updatedAt: expect.any(String) },
      'browser:portal-sim': { status: 'up', alive: true, expected: true },
    });
  });

  it('takes a job (202) and gives the same job for the same Idempotency-Key', async () => {
    const first = await submit(0).expect(202);
    expect(first.body).toMatchObject({ jobId: expect.any(String), created: true });
    jobId = first.body.jobId;
    const again = await submit(0).expect(202);
    expect(again.body).toMatchObject({ jobId, created: false });
    const missingKey = await api().post('/api/jobs').set(auth()).send({ portal: 'portal-sim', payload: sampleProposal(0, run) });
    expect(missingKey.status).toBe(400);
    expect(missingKey.body.code).toBe('VALIDATION_FAILED');
  });

  it('runs the job to submitted with a PRP- reference, submitted once on the portal', async () => {
    const view = await until('job final', async () => {
      const body = await getJob(jobId);
      return body.final ? body : null;
    });
    expect(view).toMatchObject({ jobId, portal: 'portal-sim', state: 'submitted', externalId: `ext-${run}-0`, failureType: null });
    expect(view.reference).toMatch(/^PRP-\d{4}-\d{6}$/);
    expect(view.attempts).toBeGreaterThanOrEqual(1);
    expect(sim.stats().submissions[sampleProposal(0, run).vehicle.chassisNo.toUpperCase()]).toBe(1);
    expect(sim.stats().duplicates).toBe(0);
  });

  it('lists it under its status, counts it in the stats, and finds it by external id', async () => {
    const submitted = await api().get('/api/jobs').query({ status: 'submitted', portal: 'portal-sim' }).set(auth()).expect(200);
    expect(submitted.body.jobs.map((j: { jobId: string }) => j.jobId)).toContain(jobId);
    expect((await api().get('/api/jobs').query({ cursor: 'no-such-job' }).set(auth())).status).toBe(400);
    const cancelled = await api().get('/api/jobs').query({ status: 'cancelled' }).set(auth()).expect(200);
    expect(cancelled.body.jobs.map((j: { jobId: string }) => j.jobId)).not.toContain(jobId);
    const stats = await api().get('/api/jobs/stats').set(auth()).expect(200);
    expect(stats.body.byState.submitted).toBeGreaterThanOrEqual(1);
    expect(stats.body.submitted).toBeGreaterThanOrEqual(1);
    expect(stats.body.successRate).toBeGreaterThan(0);
    const byExternal = await api().get(`/api/job-status/ext-${run}-0`).set(auth()).expect(200);
    expect(byExternal.body).toMatchObject({ jobId, state: 'submitted' });
    expect((await api().get(`/api/job-status/ext-${run}-unknown`).set(auth())).status).toBe(404);
  });

  it('refuses to cancel (409, with the reason) and to retry (409) a job that is submitted', async () => {
    const cancel = await api().post(`/api/jobs/${jobId}/cancel`).set(auth()).send({ reason: 'too late' });
    expect(cancel.status).toBe(409);
    expect(cancel.body).toMatchObject({ code: 'INVALID_COMMAND', state: 'submitted', reason: expect.any(String) });
    expect(cancel.body.message).toContain(cancel.body.reason);
    const retry = await api().post(`/api/jobs/${jobId}/retry`).set(auth());
    expect(retry.status).toBe(409);
    expect(retry.body.code).toBe('INVALID_COMMAND');
    expect((await getJob(jobId)).state).toBe('submitted');
  });

  it('cancels a job before it submits (200); a cancelled job is not retried (409) and never reaches the portal', async () => {
    // The form pages answer slowly, so the job is still filling when the cancel arrives.
    sim.faults.set({ latency: { '/Proposal': { ms: 3_000 } } });
    try {
      const { body } = await submit(1).expect(202);
      const cancel = await api().post(`/api/jobs/${body.jobId}/cancel`).set(auth()).send({ reason: 'customer withdrew' });
      expect(cancel.status).toBe(200);
      expect(cancel.body).toMatchObject({ jobId: body.jobId, state: 'cancelled', final: true });
      const retry = await api().post(`/api/jobs/${body.jobId}/retry`).set(auth());
      expect(retry.status).toBe(409);
      expect((await api().post(`/api/jobs/${body.jobId}/cancel`).set(auth()).send({})).status).toBe(409);
    } finally {
      sim.faults.reset();
    }
    expect(sim.stats().submissions[sampleProposal(1, run).vehicle.chassisNo.toUpperCase()]).toBeUndefined();
  });

  it('shows the master session, recovers it on request, and records the recovery in its history', async () => {
    const list = await api().get('/api/sessions').set(auth()).expect(200);
    expect(list.body.sessions).toEqual([expect.objectContaining({ portal: 'portal-sim', state: 'ready' })]);
    const before = (await api().get('/api/sessions/portal-sim').set(auth()).expect(200)).body;
    expect(before).toMatchObject({ state: 'ready', recoveryInProgress: null, intakeHalted: false });
    expect((await api().post('/api/sessions/portal-sim/recover').set(auth())).status).toBe(202);
    const after = await until('recovered', async () => {
      const { body } = await api().get('/api/sessions/portal-sim').set(auth());
      return body.state === 'ready' && body.recoveries > before.recoveries ? body : null;
    });
    expect(after.recoveryInProgress).toBeNull();
    const history = await api().get('/api/sessions/portal-sim/recoveries').set(auth()).expect(200);
    expect(history.body.portal).toBe('portal-sim');
    expect(history.body.attempts).toEqual(expect.arrayContaining([expect.objectContaining({ level: 'soft', outcome: 'succeeded', try: 1 })]));
    expect((await api().get('/api/sessions/no-such-portal').set(auth())).status).toBe(404);
    expect((await api().get('/api/sessions/portal-sim/captcha').set(auth())).status).toBe(404);
  });

  it('serves the job\'s events, its state replayed at a version, and a clean store verification', async () => {
    const events = await api().get(`/api/streams/job-${jobId}/events`).set(auth()).expect(200);
    const all = events.body.events as Array<{ version: number; type: string; stateAfter: { value: unknown } }>;
    expect(all.length).toBeGreaterThan(3);
    expect(all.map((e) => e.version)).toEqual(all.map((_, i) => i + 1));
    const last = all[all.length - 1];
    const replayed = await api().get(`/api/streams/job-${jobId}/state`).query({ version: last.version }).set(auth()).expect(200);
    expect(replayed.body).toMatchObject({ stream: `job-${jobId}`, version: last.version, replayed: true, machineId: expect.any(String) });
    expect(replayed.body.state.value).toEqual('submitted');
    expect(replayed.body.state).toEqual(last.stateAfter);
    const first = await api().get(`/api/streams/job-${jobId}/state`).query({ version: 1 }).set(auth()).expect(200);
    expect(first.body.state).toEqual(all[0].stateAfter);
    expect((await api().get(`/api/streams/job-${jobId}/state`).query({ version: last.version + 1 }).set(auth())).status).toBe(404);
    const verify = await api().get('/api/audit/verify').set(auth()).expect(200);
    expect(verify.body).toMatchObject({ ok: true, chainProblems: [], replayProblems: [] });
    expect(verify.body.events).toBeGreaterThan(all.length);
  });

  it('serves the API docs at /docs with the token only', async () => {
    expect((await api().get('/docs-json')).status).toBe(401);
    const page = await api().get('/docs').set(auth()).redirects(1).expect(200);
    expect(page.text).toContain('swagger');
    const document = await api().get('/docs-json').set(auth()).expect(200);
    expect(Object.keys(document.body.paths)).toEqual(expect.arrayContaining(['/api/jobs', '/api/jobs/{id}/cancel', '/api/sessions/{portal}/recoveries', '/health', '/metrics']));
  });

  it('serves Prometheus metrics with the token only: jobs by state, recoveries by level, append and clone latency', async () => {
    expect((await api().get('/metrics')).status).toBe(401);
    const metrics = await api().get('/metrics').set(auth()).expect(200);
    expect(metrics.headers['content-type']).toContain('text/plain');
    const { body: stats } = await api().get('/api/jobs/stats').set(auth());
    expect(metrics.text).toContain(`engine_jobs{state="submitted"} ${stats.byState.submitted}`);
    expect(metrics.text).toContain('engine_jobs{state="cancelled"} 1');
    expect(metrics.text).toContain('engine_jobs{state="needs_review"} 0');
    expect(metrics.text).toMatch(/engine_master_recoveries_total\{portal="portal-sim",account="",level="soft",outcome="succeeded"\} [1-9]/);
    expect(metrics.text).toMatch(/engine_event_append_seconds_count [1-9]/);
    expect(metrics.text).toMatch(/engine_session_clone_seconds_count\{portal="portal-sim",strategy="context"\} [1-9]/);
  });

  it('refuses bad callback URLs with 400 and records nothing; a job with a callbackUrl posts its signed outcome when it ends', async () => {
    const key = `cb-${run}-bad`;
    for (const [callbackUrl, problem] of [
      ['ftp://127.0.0.1/hook', 'must use http or https'],
      [`http://127.0.0.1/${'x'.repeat(2100)}`, 'must be at most 2048 characters'],
      ['http://user:pw@127.0.0.1/hook', /credentials/],
      ['not a url', 'must be an absolute http(s) URL'],
    ] as const) {
      const refused = await api().post('/api/jobs').set(auth()).set('Idempotency-Key', key).send({ portal: 'portal-sim', payload: sampleProposal(8, run), callbackUrl });
      expect(refused.status).toBe(400);
      expect(refused.body.fields.callbackUrl).toMatch(problem);
    }
    expect((await api().get(`/api/jobs/${JobIntake.jobIdFor('portal-sim', key)}`).set(auth())).status).toBe(404);
    expect((await api().get(`/api/callbacks/${JobIntake.jobIdFor('portal-sim', key)}`).set(auth())).status).toBe(404);

    const submitted = await api()
      .post('/api/jobs')
      .set(auth())
      .set('Idempotency-Key', `cb-${run}-ok`)
      .send({ portal: 'portal-sim', payload: sampleProposal(9, run), callbackUrl: receiverUrl })
      .expect(202);
    const id = submitted.body.jobId as string;
    expect((await api().get(`/api/callbacks/${id}`).set(auth()).expect(200)).body).toMatchObject({ jobId: id, url: receiverUrl, state: 'awaitingJob' });
    const delivered = await until('callback delivered', async () => {
      const body = (await api().get(`/api/callbacks/${id}`).set(auth()).expect(200)).body;
      return body.state === 'delivered' ? body : null;
    }, 120_000);
    expect(delivered).toMatchObject({ deliveredStatus: 204, attempts: 1, lastFailure: null });
    expect(callbacksReceived).toHaveLength(1);
    const [call] = callbacksReceived;
    expect(call.headers['x-engine-signature']).toBe(callbackSignature(CALLBACK_SECRET, String(call.headers['x-engine-timestamp']), call.body));
    expect(JSON.parse(call.body)).toMatchObject({ event: 'job.finished', jobId: id, portal: 'portal-sim', state: 'submitted', reference: expect.stringMatching(/^PRP-/), failure: null });
    expect((await api().get('/api/callbacks').query({ state: 'undelivered' }).set(auth()).expect(200)).body).toEqual({ callbacks: [] });
    // The inspector lists callbacks as their own kind, filterable by state (undelivered ones are what an operator looks for).
    const listed = await api().get('/api/inspector/streams').query({ kind: 'callback', state: 'delivered' }).set(auth()).expect(200);
    expect(listed.body.items.map((i: { stream: string }) => i.stream)).toEqual([`callback-${id}`]);
    expect(listed.body.kinds.callback).toBe(1);
    expect((await api().post(`/api/callbacks/${id}/resend`).set(auth())).status).toBe(409);
    expect((await api().get('/api/callbacks').query({ state: 'lost' }).set(auth())).status).toBe(400);
  });

  it('wrote a log for the whole run that holds neither the portal password nor the API token', () => {
    expect(logLines.length).toBeGreaterThan(0);
    expect(logLines.some((line) => line.includes('engine restored from the log'))).toBe(true);
    for (const line of logLines) {
      expect(line).not.toContain(secrets.password);
      expect(line).not.toContain(secrets.token);
      expect(line).not.toContain(CALLBACK_SECRET);
    }
  });
});
