// A portal whose captcha goes to a solving service first and to the operator only when the
// service fails (issue 16, item 2): real Chromium, the portal simulator, and a fake service with
// the submit-then-poll API on 127.0.0.1 whose "people" read the image through the simulator's
// test hook. With the service up, the master session logs in with nobody asked (no challenge in
// its log); with the service down, the same chain asks the operator, and the answer logs it in.
// Waits listen to the read feed with generous ceilings: nothing here counts on timing.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemorySecretProvider } from '@engine/core';
import { SqliteEventStore } from '@engine/event-store';
import { MASTER_SESSION_MACHINE, masterSessionHasTag } from '@engine/machines';
import { CaptchaSolverChain, HttpCaptchaSolver, PortalSimAdapter, PortalSimCaptchaSolver, type CaptchaSolveReport, type CaptchaSolver } from '@engine/portals';
import { startFakeCaptchaService, type FakeCaptchaService } from '@engine/portals/testing';
import { startPortalSim, type PortalSim } from '@engine/portal-sim';
import { createEngine, type Engine } from '../engine';

jest.setTimeout(600_000);

const PORTAL = 'portal-sim';
const STREAM = `master-${PORTAL}`;
const KEY = 'K3Y9SECRET7XYZ';
const CEILING_MS = 180_000;

describe('a captcha solver chain [service, operator] (Chromium, portal simulator, fake service)', () => {
  let sim: PortalSim;
  let service: FakeCaptchaService;
  const dirs: string[] = [];
  const engines: Engine[] = [];
  /** The captcha ids the service was given images of, in order: what its "people" look up. */
  const shown: string[] = [];

  beforeAll(async () => {
    sim = await startPortalSim({ testHooks: true, seed: 162 });
    service = await startFakeCaptchaService({
      key: KEY,
      notReadyPolls: 1,
      answer: async (image) => {
        const captchaId = shown[shown.length - 1];
        // The image the service got must be the one the portal showed for that challenge.
        const served = Buffer.from(await (await fetch(new URL(`/Captcha.ashx?id=${captchaId}`, sim.url))).arrayBuffer());
        if (!served.equals(image)) return 'ERROR_CAPTCHA_UNSOLVABLE';
        return new PortalSimCaptchaSolver(sim.url).solve({ image, portal: PORTAL, captchaId }, { timeoutMs: 30_000 });
      },
    });
  });

  afterAll(async () => {
    await Promise.all(engines.map((e) => e.stop().catch(() => undefined)));
    await service?.close();
    await sim?.close();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  function boot(reports: CaptchaSolveReport[]): Engine {
    const dir = mkdtempSync(join(tmpdir(), 'captcha-chain-'));
    dirs.push(dir);
    const secrets = new MemorySecretProvider()
      .set('secret://portal-sim/login', { username: 'agent', password: 'Secr3t!pass' })
      .set('secret://captcha-service', { username: 'engine', password: KEY });
    const http = new HttpCaptchaSolver({ url: service.url, keyRef: 'secret://captcha-service', secrets, pollIntervalMs: 100, timeoutMs: 30_000 });
    const viaService: CaptchaSolver = { solve: (challenge, options) => (shown.push(challenge.captchaId ?? ''), http.solve(challenge, options)) };
    const engine = createEngine({
      store: new SqliteEventStore(join(dir, 'events.db')),
      dataDir: dir,
      portals: [new PortalSimAdapter({ baseUrl: sim.url })],
      secrets,
      credentials: { [PORTAL]: 'secret://portal-sim/login' },
      // Asked for at login, after the chain below exists.
      captcha: () => chain,
      captchaPolicy: { answerWithinMs: 60_000 },
      concurrency: 1,
    });
    // The chain ends with this engine's own manual solver, the one its API answers.
    const chain = new CaptchaSolverChain(
      [
        { name: 'http', solver: viaService, timeoutMs: 30_000, costPerSolve: 0.002 },
        { name: 'manual', solver: engine.manualCaptcha },
      ],
      (report) => reports.push(report),
    );
    engines.push(engine);
    return engine;
  }

  it('logs the master session in with the service\'s answer; no operator is asked', async () => {
    const reports: CaptchaSolveReport[] = [];
    const engine = boot(reports);
    await engine.start();
    await engine.feed.waitFor(STREAM, (e) => e?.state?.value === 'ready', { timeoutMs: CEILING_MS });
    const types = (await engine.store.read(STREAM)).map((e) => e.type);
    expect(types).toContain('LOGGED_IN');
    expect(types).not.toContain('CAPTCHA_REQUIRED');
    expect(reports).toEqual([{ portal: PORTAL, solver: 'http', outcome: 'solved', cost: 0.002 }]);
    expect(service.submitted.length).toBeGreaterThanOrEqual(1);
    await engine.stop();
  });

  it('with the service down, asks the operator through the same chain; the answer logs the session in', async () => {
    service.set({ httpStatus: 503 });
    const reports: CaptchaSolveReport[] = [];
    const engine = boot(reports);
    await engine.start();
    const waiting = await engine.feed.waitFor(STREAM, (e) => !!e && masterSessionHasTag(e.state as { value: unknown }, 'awaitingCaptcha'), { timeoutMs: CEILING_MS });
    const challengeId = (waiting!.state as { context: { captcha: { challengeId: string } } }).context.captcha.challengeId;
    expect(reports).toEqual([{ portal: PORTAL, solver: 'http', outcome: 'unsolvable', cost: 0 }]);
    const pending = engine.manualCaptcha.pending().find((c) => c.id === challengeId)!;
    const answer = await new PortalSimCaptchaSolver(sim.url).solve(pending, { timeoutMs: 30_000 });
    await engine.sessions.answerCaptcha(PORTAL, answer, challengeId);
    await engine.feed.waitFor(STREAM, (e) => e?.state?.value === 'ready', { timeoutMs: CEILING_MS });
    expect(engine.feed.getOf(MASTER_SESSION_MACHINE, PORTAL)?.state.context.captcha).toBeNull();
    expect(reports.map((r) => [r.solver, r.outcome])).toEqual([
      ['http', 'unsolvable'],
      ['manual', 'solved'],
    ]);
    // Nothing of the key reached the session's log.
    expect(JSON.stringify(await engine.store.read(STREAM))).not.toContain(KEY);
    await engine.stop();
  });
});
