// Two accounts of one portal wait for an operator's captcha answer at the same time (issue 17):
// real Chromium, the portal simulator and the manual solver. Each login's challenge names its own
// session, so each session's open challenge is the one its own page shows; an answer that names
// only the portal is refused as ambiguous (nothing handed over); answers that name the account,
// the challenge or the session reach their own logins, and both accounts log in.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemorySecretProvider } from '@engine/core';
import { MemoryEventStore } from '@engine/event-store';
import { masterSessionHasTag, type CaptchaPolicy } from '@engine/machines';
import { PortalSimAdapter, PortalSimCaptchaSolver } from '@engine/portals';
import { startPortalSim, type PortalSim } from '@engine/portal-sim';
import { createEngine, type Engine } from '../engine';
import { CaptchaAmbiguousError } from './sessions-api';

jest.setTimeout(300_000);

const PORTAL = 'portal-sim';
const PASSWORD = 'Secr3t!pass';
// A generous answer window: the test answers as soon as both challenges are open.
const POLICY: Partial<CaptchaPolicy> = { answerWithinMs: 120_000 };
const CEILING_MS = 120_000;

describe('manual captchas of two accounts of one portal (Chromium, portal simulator)', () => {
  let sim: PortalSim;
  let dir: string;
  let engine: Engine;

  beforeAll(async () => {
    sim = await startPortalSim({ testHooks: true, seed: 17, users: ['agent-a', 'agent-b'].map((username) => ({ username, password: PASSWORD })) });
    dir = mkdtempSync(join(tmpdir(), 'captcha-accounts-'));
    const secrets = new MemorySecretProvider();
    for (const id of ['a', 'b']) secrets.set(`secret://${PORTAL}/${id}`, { username: `agent-${id}`, password: PASSWORD });
    engine = createEngine({
      store: new MemoryEventStore(),
      dataDir: dir,
      portals: [new PortalSimAdapter({ baseUrl: sim.url })],
      secrets,
      accounts: { [PORTAL]: ['a', 'b'].map((id) => ({ id, credentialsRef: `secret://${PORTAL}/${id}` })) },
      // No solver configured: the manual one, answered by an operator.
      captchaPolicy: POLICY,
    });
    await engine.start();
  });

  afterAll(async () => {
    await engine?.stop();
    await sim?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** Waits until the session waits on an open challenge; returns its id. */
  async function openChallenge(session: string): Promise<string> {
    const entry = await engine.feed.waitFor(
      `master-${session}`,
      (e) => {
        const state = e?.state as Parameters<typeof masterSessionHasTag>[0] | undefined;
        return !!state && masterSessionHasTag(state, 'awaitingCaptcha') && !masterSessionHasTag(state, 'captchaExpired');
      },
      { timeoutMs: CEILING_MS },
    );
    return (entry!.state as { context: { captcha: { challengeId: string } } }).context.captcha.challengeId;
  }

  /** The right answer, as an operator reading the image would type it (the simulator's test hook knows it). */
  function answerOf(challengeId: string): Promise<string> {
    const pending = engine.manualCaptcha.pending().find((c) => c.id === challengeId);
    if (!pending) throw new Error(`challenge ${challengeId} is not pending`);
    return new PortalSimCaptchaSolver(sim.url).solve(pending, { timeoutMs: 30_000 });
  }

  it('keeps each account\'s challenge with its own login, refuses an ambiguous answer, and hands each answer to its own login', async () => {
    const [first, second] = await Promise.all([openChallenge(PORTAL), openChallenge(`${PORTAL}.b`)]);
    expect(first).not.toBe(second);
    // Each pending challenge names the session whose page shows it.
    const pending = new Map(engine.manualCaptcha.pending().map((c) => [c.id, c.session]));
    expect(pending.get(first)).toBe(PORTAL);
    expect(pending.get(second)).toBe(`${PORTAL}.b`);

    // The portal alone does not say which: a conflict listing both, and nothing is answered.
    const ambiguous = engine.sessions.answerCaptcha(PORTAL, 'whatever');
    await expect(ambiguous).rejects.toBeInstanceOf(CaptchaAmbiguousError);
    await expect(ambiguous).rejects.toMatchObject({
      details: { open: expect.arrayContaining([{ session: PORTAL, account: 'a', challengeId: first }, { session: `${PORTAL}.b`, account: 'b', challengeId: second }]) },
    });
    expect(() => engine.sessions.captchaImage(PORTAL)).toThrow(CaptchaAmbiguousError);
    expect(engine.manualCaptcha.pending().map((c) => c.id).sort()).toEqual([first, second].sort());
    // With the account named, each image is its own session's.
    expect(engine.sessions.captchaImage(PORTAL, { account: 'b' })).toEqual(engine.manualCaptcha.pending().find((c) => c.id === second)?.image);

    // By account on the portal's path, and by the session's own path with the old shape.
    const answerA = await answerOf(first);
    const answerB = await answerOf(second);
    await engine.sessions.answerCaptcha(PORTAL, answerA, undefined, 'operator', 'a');
    await engine.sessions.answerCaptcha(`${PORTAL}.b`, answerB, second, 'operator');

    for (const session of [PORTAL, `${PORTAL}.b`]) {
      await engine.feed.waitFor(`master-${session}`, (e) => e?.state?.value === 'ready', { timeoutMs: CEILING_MS });
    }
    expect(engine.sessions.list().map((s) => [s.session, s.account, s.state]).sort()).toEqual([
      [PORTAL, 'a', 'ready'],
      [`${PORTAL}.b`, 'b', 'ready'],
    ]);
  });
});
