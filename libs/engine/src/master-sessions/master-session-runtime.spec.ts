// The master-session runtime's effects against fake browsers: what a soft re-login does when
// the portal's browser is gone (SIGKILLed Chromium, or a browser that died with the previous
// engine process and is restored as `ready` from the log); which logins wait for a person when
// the portal's solver is a chain that ends with the operator.
import { ActorHost, MemorySecretProvider, SimulatedClock, silentLogger, type EffectContext, type StateOf } from '@engine/core';
import { MemoryEventStore } from '@engine/event-store';
import { MASTER_SESSION_MACHINE, type MasterSessionDefinition } from '@engine/machines';
import type { BrowserHost, ProfileStore } from '@engine/browser';
import { CaptchaSolverChain, CaptchaUnsolvableError, ManualCaptchaSolver, type CaptchaSolver, type PortalAdapter } from '@engine/portals';
import { PortalRegistry } from '../portals/portal-registry';
import { MasterSessionRuntime, type MasterSessionRuntimeOptions } from './master-session-runtime';

function fixture(captcha: CaptchaSolver = { solve: async () => 'ABCDE' }, portalOptions?: MasterSessionRuntimeOptions['portalOptions'], accountBrowser?: MasterSessionRuntimeOptions['accountBrowser']) {
  const launches: number[] = [];
  const launched: { how: 'launch' | 'connect'; endpoint?: string; settings?: unknown; timeoutMs: number; userDataDir?: string }[] = [];
  const logins: number[] = [];
  /** Each login's deadline, and the answer its solver gave. */
  const loginCalls: Array<{ timeoutMs: number; answer?: string }> = [];
  const page = { isClosed: () => false };
  const browsers = {
    launch: async (options: { settings?: unknown; timeoutMs: number; userDataDir: string }) => {
      launches.push(launches.length + 1);
      launched.push({ how: 'launch', settings: options.settings, timeoutMs: options.timeoutMs, userDataDir: options.userDataDir });
      return { connected: true, browser: { pages: async () => [page] }, onDisconnected: () => () => undefined, close: async () => undefined, preparePage: async () => undefined };
    },
    connect: async (endpoint: string, options: { settings?: unknown; timeoutMs: number }) => {
      launched.push({ how: 'connect', endpoint, settings: options.settings, timeoutMs: options.timeoutMs });
      return { connected: true, browser: { newPage: async () => page }, onDisconnected: () => () => undefined, close: async () => undefined, preparePage: async () => undefined };
    },
  } as unknown as BrowserHost;
  const adapter = {
    id: 'portal-sim',
    origin: 'http://127.0.0.1:1',
    login: async (loginPage: unknown, _credentials: unknown, solver: CaptchaSolver, options: { signal: AbortSignal; timeoutMs: number }) => {
      if (loginPage !== page) throw new Error('login on a page of no browser');
      const call: { timeoutMs: number; answer?: string } = { timeoutMs: options.timeoutMs };
      loginCalls.push(call);
      call.answer = await solver.solve({ image: Buffer.from('png'), portal: 'portal-sim' }, options);
      logins.push(logins.length + 1);
    },
  } as unknown as PortalAdapter;
  const runtime = new MasterSessionRuntime({
    host: new ActorHost({ store: new MemoryEventStore(), clock: new SimulatedClock(0), definitions: [MASTER_SESSION_MACHINE] }),
    browsers,
    profiles: { profileDir: async (id: string) => `/nonexistent/profiles/${id}` } as unknown as ProfileStore,
    portals: new PortalRegistry([adapter]),
    captcha: () => captcha,
    secrets: new MemorySecretProvider().set('secret://portal-sim/login', { username: 'agent', password: 'pw' }),
    clock: new SimulatedClock(0),
    logger: silentLogger,
    portalOptions,
    accountBrowser,
  });
  const ctx = { stream: 'master-portal-sim', signal: new AbortController().signal } as EffectContext<StateOf<MasterSessionDefinition>>;
  const params = { portal: 'portal-sim', credentialsRef: 'secret://portal-sim/login', challengeId: null };
  return { runtime, launches, launched, logins, loginCalls, ctx, params };
}

describe('MasterSessionRuntime relogin (soft recovery)', () => {
  it('launches the browser first when there is none, instead of failing three soft tries on no page', async () => {
    const { runtime, launches, logins, ctx, params } = fixture();
    const outcome = await runtime.effects().relogin.run(params, ctx);
    expect(outcome).toMatchObject({ type: 'LOGGED_IN' });
    expect(launches).toEqual([1]);
    expect(logins).toEqual([1]);
    expect(runtime.source('portal-sim')).toBeDefined();
  });

  it('re-logs the running browser in without launching another', async () => {
    const { runtime, launches, logins, ctx, params } = fixture();
    await runtime.effects().launchBrowser.run({ portal: 'portal-sim' }, ctx);
    const outcome = await runtime.effects().relogin.run(params, ctx);
    expect(outcome).toMatchObject({ type: 'LOGGED_IN' });
    expect(launches).toEqual([1]);
    expect(logins).toEqual([1]);
  });
});

describe('MasterSessionRuntime with several accounts on a portal', () => {
  it("gives each account's session its own browser, profile folder and proxy over the portal's settings", async () => {
    const portalBrowser = { userAgent: 'Portal/1', proxy: 'http://proxy.internal:3128' };
    const { runtime, launched, ctx } = fixture(undefined, () => ({ browser: portalBrowser }), (session) => (session === 'portal-sim.second' ? { proxy: 'http://second.proxy.internal:3128' } : undefined));
    await runtime.effects().launchBrowser.run({ portal: 'portal-sim' }, ctx);
    await runtime.effects().launchBrowser.run({ portal: 'portal-sim' }, { ...ctx, stream: 'master-portal-sim.second' });
    expect(launched.map((l) => [l.userDataDir, l.settings])).toEqual([
      ['/nonexistent/profiles/portal-sim', portalBrowser],
      ['/nonexistent/profiles/portal-sim.second', { userAgent: 'Portal/1', proxy: 'http://second.proxy.internal:3128' }],
    ]);
    // Two browsers up at once, one per session: closing one leaves the other.
    expect(runtime.source('portal-sim')).toBeDefined();
    expect(runtime.source('portal-sim.second')).toBeDefined();
    await runtime.effects().closeBrowser.run({ portal: 'portal-sim' }, { ...ctx, stream: 'master-portal-sim.second' });
    expect(runtime.source('portal-sim.second')).toBeUndefined();
    expect(runtime.source('portal-sim')).toBeDefined();
  });
});

describe("MasterSessionRuntime with a portal's own settings", () => {
  it("launches the portal's browser with its settings and logs in within the portal's login time", async () => {
    const browser = { userAgent: 'Portal/1', locale: 'de-DE', proxy: 'http://proxy.internal:3128' };
    const { runtime, launched, loginCalls, ctx, params } = fixture(undefined, () => ({ timeouts: { launchMs: 45_000, loginMs: 90_000 }, browser }));
    await expect(runtime.effects().login.run(params, ctx)).resolves.toMatchObject({ type: 'LOGGED_IN' });
    expect(launched).toEqual([{ how: 'launch', settings: browser, timeoutMs: 45_000, userDataDir: '/nonexistent/profiles/portal-sim' }]);
    expect(loginCalls[0].timeoutMs).toBe(90_000);
  });

  it('connects to a remote browser instead of launching one, without its endpoint in the settings passed on', async () => {
    const { runtime, launched, ctx, params } = fixture(undefined, () => ({ browser: { remoteEndpoint: 'ws://127.0.0.1:9222/devtools/browser/x', userAgent: 'Portal/1' } }));
    await expect(runtime.effects().login.run(params, ctx)).resolves.toMatchObject({ type: 'LOGGED_IN' });
    expect(launched).toEqual([{ how: 'connect', endpoint: 'ws://127.0.0.1:9222/devtools/browser/x', settings: { userAgent: 'Portal/1' }, timeoutMs: 30_000 }]);
  });
});

describe('MasterSessionRuntime login with a solver chain that ends with the operator', () => {
  // The runtime's defaults: 60 s for the login itself, 300 s for an operator's answer.
  const LOGIN_MS = 60_000;
  const ANSWER_WITHIN_MS = 300_000;

  it('logs in with the automatic stage\'s answer, never asking a person, within the login time plus the stage\'s', async () => {
    const manual = new ManualCaptchaSolver();
    const asked: string[] = [];
    manual.onPending((pending) => asked.push(pending.id));
    const chain = new CaptchaSolverChain([{ name: 'http', solver: { solve: async () => 'FROM-SERVICE' }, timeoutMs: 120_000 }, { name: 'manual', solver: manual }]);
    const { runtime, loginCalls, ctx, params } = fixture(chain);
    await expect(runtime.effects().login.run(params, ctx)).resolves.toMatchObject({ type: 'LOGGED_IN' });
    expect(asked).toEqual([]);
    expect(loginCalls).toEqual([{ timeoutMs: LOGIN_MS + 120_000 + ANSWER_WITHIN_MS, answer: 'FROM-SERVICE' }]);
  });

  it('asks the operator (CAPTCHA_REQUIRED, the login parked on the challenge) once the automatic stage failed', async () => {
    const manual = new ManualCaptchaSolver();
    const chain = new CaptchaSolverChain([
      { name: 'http', solver: { solve: async (challenge) => Promise.reject(new CaptchaUnsolvableError(challenge.portal, 'captcha service: HTTP 503')) }, timeoutMs: 120_000 },
      { name: 'manual', solver: manual },
    ]);
    const { runtime, loginCalls, ctx, params } = fixture(chain);
    const outcome = await runtime.effects().login.run(params, ctx);
    const [pending] = manual.pending();
    expect(outcome).toMatchObject({ type: 'CAPTCHA_REQUIRED', challengeId: pending.id });
    expect(runtime.hasParkedLogin(pending.id)).toBe(true);
    manual.answer(pending.id, 'BY-HAND');
    await expect(runtime.effects().login.run({ ...params, challengeId: pending.id }, ctx)).resolves.toMatchObject({ type: 'LOGGED_IN' });
    expect(loginCalls).toEqual([{ timeoutMs: LOGIN_MS + 120_000 + ANSWER_WITHIN_MS, answer: 'BY-HAND' }]);
  });

  it('gives a chain with no person the login time plus its stages\' timeouts, and never parks', async () => {
    const chain = new CaptchaSolverChain([{ name: 'http', solver: { solve: async () => 'FROM-SERVICE' }, timeoutMs: 120_000 }]);
    const { runtime, loginCalls, ctx, params } = fixture(chain);
    await expect(runtime.effects().login.run(params, ctx)).resolves.toMatchObject({ type: 'LOGGED_IN' });
    expect(loginCalls).toEqual([{ timeoutMs: LOGIN_MS + 120_000, answer: 'FROM-SERVICE' }]);
  });
});
