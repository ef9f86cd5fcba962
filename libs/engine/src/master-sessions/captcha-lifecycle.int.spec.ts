// A captcha nobody answers never wedges a portal (issue 16): real Chromium, the portal simulator
// and the manual solver an operator answers through SessionsApi. Each challenge is recorded with
// its deadline; on expiry the parked login is withdrawn and a new challenge asked after a
// doubling wait; an answer to an expired challenge is a conflict naming the open one; after
// three unanswered challenges an answer still brings the session up and the queued jobs run. A
// restart while waiting asks a new, live challenge; an operator reset works while waiting.
// Waits listen to the read feed with generous ceilings: nothing here counts on timing.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemorySecretProvider, type EngineError } from '@engine/core';
import { SqliteEventStore } from '@engine/event-store';
import { JOB_MACHINE, MASTER_SESSION_MACHINE, masterSessionHasTag, type CaptchaPolicy } from '@engine/machines';
import { PortalSimAdapter, PortalSimCaptchaSolver, sampleProposal } from '@engine/portals';
import { startPortalSim, type PortalSim } from '@engine/portal-sim';
import { RecordingAlerter } from '../alerts/alert-test-kit';
import { createEngine, type Engine } from '../engine';

jest.setTimeout(600_000);

const PORTAL = 'portal-sim';
const STREAM = `master-${PORTAL}`;
const POLICY: CaptchaPolicy = { answerWithinMs: 8_000, retryMinMs: 300, retryMaxMs: 600, warnAfter: 2 };
const CEILING_MS = 180_000;

describe('a captcha nobody answers (Chromium, portal simulator, manual solver)', () => {
  let sim: PortalSim;
  const dirs: string[] = [];
  const engines: Engine[] = [];

  beforeAll(async () => {
    sim = await startPortalSim({ testHooks: true, seed: 16 });
  });

  afterAll(async () => {
    await Promise.all(engines.map((e) => e.stop().catch(() => undefined)));
    await sim?.close();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  function boot(dir: string, alerter = new RecordingAlerter()): Engine {
    const engine = createEngine({
      store: new SqliteEventStore(join(dir, 'events.db')),
      dataDir: dir,
      portals: [new PortalSimAdapter({ baseUrl: sim.url })],
      secrets: new MemorySecretProvider().set('secret://portal-sim/login', { username: 'agent', password: 'Secr3t!pass' }),
      credentials: { [PORTAL]: 'secret://portal-sim/login' },
      // No solver configured: the manual one, answered by an operator.
      captchaPolicy: POLICY,
      alerter,
      concurrency: 2,
      job: { retryDelayMs: 500 },
    });
    engines.push(engine);
    return engine;
  }

  const master = (engine: Engine) => engine.feed.getOf(MASTER_SESSION_MACHINE, PORTAL);
  /** Waits until the session waits on an open challenge other than `not`; returns its id. */
  async function openChallenge(engine: Engine, not: readonly string[] = []): Promise<string> {
    const entry = await engine.feed.waitFor(
      STREAM,
      (e) => {
        const state = e?.state as Parameters<typeof masterSessionHasTag>[0] & { context?: { captcha?: { challengeId: string; policy?: unknown } | null } };
        const captcha = state?.context?.captcha;
        return !!captcha?.policy && masterSessionHasTag(state, 'awaitingCaptcha') && !masterSessionHasTag(state, 'captchaExpired') && !not.includes(captcha.challengeId);
      },
      { timeoutMs: CEILING_MS },
    );
    return (entry!.state as { context: { captcha: { challengeId: string } } }).context.captcha.challengeId;
  }
  /** The right answer, as an operator reading the image would type it (the simulator's test hook knows it). */
  async function answerOf(engine: Engine, challengeId: string): Promise<string> {
    const pending = engine.manualCaptcha.pending().find((c) => c.id === challengeId);
    if (!pending) throw new Error(`challenge ${challengeId} is not pending`);
    return new PortalSimCaptchaSolver(sim.url).solve(pending, { timeoutMs: 30_000 });
  }
  const masterEvents = async (engine: Engine) => engine.store.read(STREAM);
  /**
   * Answers the open challenge correctly. On a loaded machine the window may close between
   * reading the answer and sending it (a 409 naming the next challenge): then the next one is
   * answered. Never more than three tries.
   */
  async function answerOpen(engine: Engine, not: string[]): Promise<void> {
    for (let tries = 0; ; tries++) {
      const open = await openChallenge(engine, not);
      try {
        await engine.sessions.answerCaptcha(PORTAL, await answerOf(engine, open), open);
        return;
      } catch (error) {
        if (tries >= 2 || (error as EngineError).code !== 'INVALID_COMMAND') throw error;
        not.push(open);
      }
    }
  }

  it('nobody answers for three deadlines, then an answer arrives: ready, and the queued jobs proceed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'captcha-wedge-'));
    dirs.push(dir);
    const alerter = new RecordingAlerter();
    const engine = boot(dir, alerter);
    // Whenever the session waits past a deadline, /health's question must say so.
    const overdueSeen: boolean[] = [];
    engine.feed.subscribe(({ entry }) => {
      if (entry.stream === STREAM && masterSessionHasTag(entry.state as { value: unknown }, 'captchaExpired')) overdueSeen.push(engine.sessions.captchaOverdue(PORTAL));
    });
    await engine.start();
    const jobs = [];
    for (let n = 0; n < 2; n++) jobs.push((await engine.intake.submitJob({ portal: PORTAL, payload: sampleProposal(n, 'captcha'), idempotencyKey: `captcha-${n}` })).jobId);

    const first = await openChallenge(engine);
    expect(engine.sessions.get(PORTAL)).toMatchObject({ state: 'awaitingCaptcha', awaitingCaptcha: true, captcha: { challengeId: first, open: true, unanswered: 0 } });
    expect(engine.sessions.captchaImage(PORTAL).subarray(1, 4).toString()).toBe('PNG');
    expect(engine.sessions.captchaOverdue(PORTAL)).toBe(false);

    // Three deadlines pass with nobody answering: three expiries, each followed by a new challenge.
    const seen = [first];
    for (let expired = 1; expired <= 3; expired++) seen.push(await openChallenge(engine, seen));
    const events = await masterEvents(engine);
    const asked = events.filter((e) => e.type === 'CAPTCHA_REQUIRED');
    expect(events.filter((e) => e.type === 'TIMER.captchaExpiry')).toHaveLength(3);
    expect(asked.map((e) => (e.data as { challengeId: string }).challengeId)).toEqual(seen);
    for (const e of asked) {
      const data = e.data as { at: string; expiresAt: string; policy: CaptchaPolicy };
      expect(Date.parse(data.expiresAt) - Date.parse(data.at)).toBe(POLICY.answerWithinMs);
      expect(data.policy).toEqual(POLICY);
    }
    // Never a wait without a timer: every expiry armed the retry wait, doubling up to the maximum.
    const retryWaits = events.filter((e) => e.type === 'timer.scheduled' && (e.data as { name: string }).name === 'captchaRetry');
    expect(retryWaits.map((e) => (e.data as { dueAt: number }).dueAt - Date.parse(e.meta.at))).toEqual([300, 600, 600]);
    expect(overdueSeen.length).toBeGreaterThanOrEqual(3);
    expect(overdueSeen.every(Boolean)).toBe(true);
    expect(engine.sessions.get(PORTAL).captcha).toMatchObject({ challengeId: seen[3], open: true, unanswered: 3 });
    // Only the open challenge waits in the solver: the expired ones were withdrawn.
    expect(engine.manualCaptcha.pending().map((c) => c.id)).toEqual([seen[3]]);
    // The jobs waited, untouched (no attempt against a session that is not logged in).
    for (const id of jobs) expect(engine.feed.getOf(JOB_MACHINE, id)?.state).toMatchObject({ value: 'pending', context: { attempt: 0 } });
    // Two unanswered in a row raised one warning.
    const warnings = () => alerter.sent.filter((a) => a.code === 'CAPTCHA_UNANSWERED');
    await until('the unanswered-captcha warning', () => warnings().length > 0);
    expect(warnings()).toHaveLength(1);
    expect(warnings()[0]).toMatchObject({ level: 'warning', portal: PORTAL });

    // An answer to an expired challenge changes nothing and names the open one.
    const before = (await masterEvents(engine)).length;
    await expect(engine.sessions.answerCaptcha(PORTAL, 'ABCDE', first)).rejects.toMatchObject({
      code: 'INVALID_COMMAND',
      details: { currentChallengeId: seen[3] },
    } satisfies Partial<EngineError>);
    expect((await masterEvents(engine)).length).toBe(before);

    // The answer to the open one logs the session in; the jobs go through.
    await answerOpen(engine, seen.slice(0, 3));
    await engine.feed.waitFor(STREAM, (e) => e?.state?.value === 'ready', { timeoutMs: CEILING_MS });
    expect(engine.sessions.get(PORTAL)).toMatchObject({ awaitingCaptcha: false, captcha: null });
    for (const id of jobs) await engine.feed.waitFor(`job-${id}`, (e) => e?.state?.status === 'done', { timeoutMs: CEILING_MS });
    for (const id of jobs) expect(engine.feed.getOf(JOB_MACHINE, id)?.state.value).toBe('submitted');
    expect(sim.stats().duplicates).toBe(0);
    await engine.stop();
  });

  it('a restart while waiting asks a new, live challenge; an operator reset while waiting starts over', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'captcha-restart-'));
    dirs.push(dir);
    const first = boot(dir);
    await first.start();
    const before = await openChallenge(first);
    await first.stop();

    const second = boot(dir);
    await second.start();
    const after = await openChallenge(second, [before]);
    const events = await masterEvents(second);
    expect(events.map((e) => e.type)).toContain('CAPTCHA_WITHDRAWN');
    expect(events.find((e) => e.type === 'CAPTCHA_WITHDRAWN')?.data).toEqual({ challengeId: before, reason: 'process_restarted' });
    // The challenge is live: its image is served and it waits in this process's solver.
    expect(second.manualCaptcha.pending().map((c) => c.id)).toEqual([after]);
    expect(second.sessions.captchaImage(PORTAL).subarray(1, 4).toString()).toBe('PNG');

    // An operator reset from awaitingCaptcha: a fresh browser and a new challenge.
    await second.sessions.recover(PORTAL, 'operator-1');
    const reset = (await masterEvents(second)).filter((e) => e.type === 'RESET');
    expect(reset.map((e) => e.data)).toEqual([{ by: 'operator-1' }]);
    await answerOpen(second, [before, after]);
    await second.feed.waitFor(STREAM, (e) => e?.state?.value === 'ready', { timeoutMs: CEILING_MS });
    expect(master(second)?.state.context.captcha).toBeNull();
    const audit = await second.audit.verify();
    expect(audit).toMatchObject({ ok: true, replayProblems: [], chainProblems: [] });
    await second.stop();
  });
});

async function until(what: string, probe: () => boolean, timeoutMs = CEILING_MS): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
