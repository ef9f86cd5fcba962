// Operator actions over HTTP against the real server in-process (memory store, real machines, the
// simulator's adapter without credentials: no master session, no browser, jobs wait in pending).
// Each action is recorded naming who acted (X-Engine-Actor); each one the machine refuses is a
// 409 with its reason, bad input a 400, an unknown job or portal a 404, and none of those appends
// anything. The actions route answers what the machine would accept, with its reasons.
import { stepEvent, stepStart, type NewEvent, type StepResult } from '@engine/core';
import { MASTER_SESSION_MACHINE } from '@engine/machines';
import { MASTER_INPUT, masterEv } from '@engine/machines/testing';
import { PortalSimAdapter, sampleProposal } from '@engine/portals';
import { appendJobHistory, JOB_ENDINGS } from './testing/job-history';
import { masterSessionWithRecovery } from './testing/master-session-history';
import { startInspectorTestServer, type InspectorTestServer } from './testing/inspector-test-server';

jest.setTimeout(120_000);

let server: InspectorTestServer;
let pendingJob: string;

type Json = Record<string, unknown>;
async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: Json }> {
  const response = await fetch(`${server.url}${path}`, {
    method,
    headers: { Authorization: `Bearer ${server.token}`, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }), ...headers },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as Json) : {} };
}
const asInspector = { 'X-Engine-Actor': 'inspector' };
const eventCount = async () => (await server.engine.store.readAll()).length;
async function expectNothingAppended<T>(action: () => Promise<T>): Promise<T> {
  const before = await eventCount();
  const result = await action();
  expect(await eventCount()).toBe(before);
  return result;
}
const actionsOf = async (stream: string) => {
  const { status, body } = await call('GET', `/api/inspector/streams/${stream}/actions`);
  expect(status).toBe(200);
  return Object.fromEntries((body.actions as Array<{ action: string; allowed: boolean; reason: string | null }>).map((a) => [a.action, a.allowed ? 'allowed' : a.reason]));
};

beforeAll(async () => {
  server = await startInspectorTestServer({ engine: { portals: [new PortalSimAdapter({ baseUrl: 'http://127.0.0.1:9' })] } });
  pendingJob = (await server.engine.intake.submitJob({ portal: 'portal-sim', payload: sampleProposal(1, 'actions'), idempotencyKey: 'actions-1' })).jobId;
  await appendJobHistory(server.engine, 'failed1', JOB_ENDINGS.failed());
  await appendJobHistory(server.engine, 'review1', JOB_ENDINGS.needsReview());
  await appendJobHistory(server.engine, 'done1', JOB_ENDINGS.submitted());
  await server.engine.store.append('master-portal-a', masterSessionWithRecovery('master-portal-a'), { expectedVersion: 'no-stream' });
  await server.engine.feed.waitFor('master-portal-a', (e) => e !== undefined, { timeoutMs: 10_000 });
});

afterAll(async () => {
  await server?.close();
});

describe('job actions', () => {
  it('answers what each job allows now, with the machine’s reasons', async () => {
    expect(await actionsOf(`job-${pendingJob}`)).toEqual({
      cancel: 'allowed',
      retry: expect.stringMatching(/^a retry is only safe for a failed job/),
      resubmit: expect.stringMatching(/^a retry is only safe for a failed job/),
    });
    expect(await actionsOf('job-failed1')).toEqual({ cancel: 'job is already failed', retry: 'allowed', resubmit: 'the portal cannot hold this job: retry it, no check needed' });
    expect(await actionsOf('job-review1')).toEqual({ cancel: 'job is already needs_review', retry: expect.stringMatching(/^nobody could tell whether the portal holds this submission/), resubmit: 'allowed' });
    expect(await actionsOf('job-done1')).toMatchObject({ cancel: 'job is already submitted', retry: expect.stringMatching(/^a retry is only safe/) });
  });

  it('cancels a pending job, recording who cancelled it; a second cancel is a 409 with the machine’s reason and appends nothing', async () => {
    const cancelled = await call('POST', `/api/jobs/${pendingJob}/cancel`, {}, asInspector);
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.state).toBe('cancelled');
    const events = await server.engine.store.read(`job-${pendingJob}`);
    expect(events[events.length - 1]).toMatchObject({ type: 'CANCEL', data: { by: 'inspector', reason: 'cancelled through the inspector' } });
    const again = await expectNothingAppended(() => call('POST', `/api/jobs/${pendingJob}/cancel`, {}, asInspector));
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ code: 'INVALID_COMMAND', reason: 'job is already cancelled' });
  });

  it('refuses to start a needs_review job over without a confirmation (409), then starts it over naming who confirmed the portal holds nothing', async () => {
    const refused = await expectNothingAppended(() => call('POST', '/api/jobs/review1/retry', {}, asInspector));
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ code: 'INVALID_COMMAND', reason: expect.stringMatching(/^nobody could tell/) });

    const resubmitted = await call('POST', '/api/jobs/review1/retry', { confirmNotSubmitted: true }, asInspector);
    expect(resubmitted.status).toBe(202);
    expect(resubmitted.body).toMatchObject({ retryOf: 'review1', created: true });
    const newJob = resubmitted.body.jobId as string;
    const [started] = await server.engine.store.read(`job-${newJob}`);
    expect(started.data).toMatchObject({ input: { retryOf: { jobId: 'review1', by: 'inspector', confirmedNotSubmitted: true } } });
    expect((await call('GET', `/api/jobs/${newJob}`)).body).toMatchObject({ state: 'pending', retryOf: { jobId: 'review1', by: 'inspector', confirmedNotSubmitted: true } });
    // The needs_review job itself is unchanged: its log stays final.
    expect((await call('GET', '/api/jobs/review1')).body).toMatchObject({ state: 'needs_review', retryOf: null });
    expect(await actionsOf('job-review1')).toMatchObject({ retry: `already started over as job ${newJob}`, resubmit: `already started over as job ${newJob}` });
  });

  it('retries a failed job as a new job naming the API by default', async () => {
    const retried = await call('POST', '/api/jobs/failed1/retry');
    expect(retried.status).toBe(202);
    const [started] = await server.engine.store.read(`job-${retried.body.jobId as string}`);
    expect(started.data).toMatchObject({ input: { retryOf: { jobId: 'failed1', by: 'api', confirmedNotSubmitted: false } } });
  });

  it('refuses a submitted job’s retry even with a confirmation (409), malformed bodies and actors (400), unknown jobs (404), appending nothing', async () => {
    expect((await expectNothingAppended(() => call('POST', '/api/jobs/done1/retry', { confirmNotSubmitted: true }))).status).toBe(409);
    for (const body of [{ confirmNotSubmitted: 'yes' }, { confirm: true }, [true], 'true']) {
      expect((await expectNothingAppended(() => call('POST', '/api/jobs/done1/retry', body))).status).toBe(400);
    }
    expect((await expectNothingAppended(() => call('POST', '/api/jobs/failed1/retry', {}, { 'X-Engine-Actor': 'root' }))).body).toMatchObject({ code: 'VALIDATION_FAILED' });
    expect((await expectNothingAppended(() => call('POST', '/api/jobs/nope/retry', {}))).status).toBe(404);
    expect((await expectNothingAppended(() => call('POST', '/api/jobs/nope/cancel', {}))).status).toBe(404);
    expect((await call('GET', '/api/inspector/streams/job-nope/actions')).status).toBe(404);
  });
});

describe('master-session actions', () => {
  it('answers that no captcha waits and every recovery level is accepted; the captcha answer is refused (409) or malformed (400), appending nothing', async () => {
    expect(await actionsOf('master-portal-a')).toEqual({
      answerCaptcha: 'the session is not waiting on a captcha',
      'recover.soft': 'allowed',
      'recover.hard': 'allowed',
      'recover.nuclear': 'allowed',
    });
    const conflict = await expectNothingAppended(() => call('POST', '/api/sessions/portal-a/captcha', { answer: 'AB12', challengeId: 'c-1' }, asInspector));
    expect(conflict.status).toBe(409);
    expect(conflict.body).toMatchObject({ code: 'INVALID_COMMAND', currentChallengeId: null, reason: 'the session is not waiting on a captcha' });
    for (const body of [{ answer: '' }, { answer: 'x'.repeat(65) }, { answer: 'AB12', by: 'me' }, { answer: 12 }, { answer: 'AB12', challengeId: '../x' }]) {
      expect((await expectNothingAppended(() => call('POST', '/api/sessions/portal-a/captcha', body))).status).toBe(400);
    }
    expect((await expectNothingAppended(() => call('POST', '/api/sessions/portal-a/recover', { level: 'medium' }))).status).toBe(400);
    expect((await expectNothingAppended(() => call('POST', '/api/sessions/nope/recover', { level: 'soft' }))).status).toBe(404);
  });
});

describe('captcha answers for a portal whose accounts wait on several challenges', () => {
  /** A master session of portal-c waiting on `challengeId` (recorded as the machine would; no login of this process holds it). */
  async function awaitingCaptcha(stream: string, challengeId: string): Promise<void> {
    const t0 = Date.UTC(2026, 0, 1);
    let result: StepResult = stepStart(MASTER_SESSION_MACHINE, stream, { ...MASTER_INPUT, portal: 'portal-c' }, { at: t0 });
    const records: NewEvent[] = [...result.records];
    for (const event of [masterEv.launched(), masterEv.captchaRequired(challengeId)]) {
      result = stepEvent(MASTER_SESSION_MACHINE, stream, records.length, result.state, result.snapshot, event, { at: t0 + 1_000 });
      records.push(...result.records);
    }
    await server.engine.store.append(stream, records, { expectedVersion: 'no-stream' });
    await server.engine.feed.waitFor(stream, (e) => e !== undefined, { timeoutMs: 10_000 });
  }

  it('refuses a request naming only the portal (409 listing the open challenges); the account, the challenge id or the session path picks one; appending nothing', async () => {
    await awaitingCaptcha('master-portal-c', 'ch-c1');
    await awaitingCaptcha('master-portal-c.b', 'ch-c2');
    const open = [
      { session: 'portal-c', account: null, challengeId: 'ch-c1' },
      { session: 'portal-c.b', account: 'b', challengeId: 'ch-c2' },
    ];
    const ambiguous = await expectNothingAppended(() => call('POST', '/api/sessions/portal-c/captcha', { answer: 'AB12' }));
    expect(ambiguous.status).toBe(409);
    expect(ambiguous.body).toMatchObject({ code: 'INVALID_COMMAND', open, reason: expect.stringContaining('name the session') });
    expect((await call('GET', '/api/sessions/portal-c/captcha')).body).toMatchObject({ code: 'INVALID_COMMAND', open });

    // Each pick reaches its own session: the challenge it names is that session's (held by no login here, so still a 409).
    const picked = async (path: string, body: Json) => (await expectNothingAppended(() => call('POST', path, body))).body.reason;
    expect(await picked('/api/sessions/portal-c/captcha', { answer: 'AB12', account: 'b' })).toBe('challenge ch-c2 is no longer waiting for an answer in this process');
    expect(await picked('/api/sessions/portal-c/captcha', { answer: 'AB12', challengeId: 'ch-c1' })).toBe('challenge ch-c1 is no longer waiting for an answer in this process');
    expect(await picked('/api/sessions/portal-c.b/captcha', { answer: 'AB12' })).toBe('challenge ch-c2 is no longer waiting for an answer in this process');

    expect((await expectNothingAppended(() => call('POST', '/api/sessions/portal-c/captcha', { answer: 'AB12', account: 'B/../x' }))).status).toBe(400);
    expect((await expectNothingAppended(() => call('POST', '/api/sessions/portal-c/captcha', { answer: 'AB12', account: 'zz' }))).status).toBe(404);
  });
});

describe('portal queue', () => {
  it('pauses and resumes a portal’s queue naming who acted; each refusal is a 409 with the machine’s reason, bad input a 400, appending nothing', async () => {
    expect((await call('GET', '/api/portals/portal-sim/queue')).body).toMatchObject({ portal: 'portal-sim', state: 'running', version: 0 });
    const notPaused = await expectNothingAppended(() => call('POST', '/api/portals/portal-sim/resume', {}));
    expect(notPaused.status).toBe(409);
    expect(notPaused.body).toMatchObject({ code: 'INVALID_COMMAND', reason: 'the queue of portal portal-sim is not paused' });
    expect(server.engine.feed.get('queue-portal-sim')).toBeUndefined();

    const paused = await call('POST', '/api/portals/portal-sim/pause', { reason: 'portal maintenance' }, asInspector);
    expect(paused.status).toBe(200);
    expect(paused.body).toMatchObject({ state: 'paused', pausedBy: 'inspector', reason: 'portal maintenance' });
    const again = await expectNothingAppended(() => call('POST', '/api/portals/portal-sim/pause', {}));
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ code: 'INVALID_COMMAND', reason: expect.stringMatching(/^the queue of portal portal-sim is already paused \(by inspector since /) });

    for (const [path, body] of [
      ['pause', { reason: 'r'.repeat(201) }],
      ['pause', { reason: '' }],
      ['pause', { why: 'x' }],
      ['resume', { reason: 'x' }],
    ] as const) {
      expect((await expectNothingAppended(() => call('POST', `/api/portals/portal-sim/${path}`, body))).status).toBe(400);
    }
    expect((await expectNothingAppended(() => call('POST', '/api/portals/nope/pause', {}))).status).toBe(404);
    expect((await expectNothingAppended(() => call('POST', '/api/portals/portal-sim/resume', {}, { 'X-Engine-Actor': 'admin' }))).status).toBe(400);

    const resumed = await call('POST', '/api/portals/portal-sim/resume');
    expect(resumed.body).toMatchObject({ state: 'running', pausedBy: null, resumedBy: 'api' });
    const events = await server.engine.store.read('queue-portal-sim');
    expect(events.map((e) => [e.type, (e.data as { by?: string }).by])).toEqual([
      ['actor.started', undefined],
      ['PAUSE', 'inspector'],
      ['RESUME', 'api'],
    ]);
  });
});
