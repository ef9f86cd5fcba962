// The master-session runtime's effects against fake browsers: what a soft re-login does when
// the portal's browser is gone (SIGKILLed Chromium, or a browser that died with the previous
// engine process and is restored as `ready` from the log).
import { ActorHost, MemorySecretProvider, SimulatedClock, silentLogger, type EffectContext, type StateOf } from '@engine/core';
import { MemoryEventStore } from '@engine/event-store';
import { MASTER_SESSION_MACHINE, type MasterSessionDefinition } from '@engine/machines';
import type { BrowserHost, ProfileStore } from '@engine/browser';
import type { CaptchaSolver, PortalAdapter } from '@engine/portals';
import { PortalRegistry } from '../portals/portal-registry';
import { MasterSessionRuntime } from './master-session-runtime';

function fixture() {
  const launches: number[] = [];
  const logins: number[] = [];
  const page = { isClosed: () => false };
  const browsers = {
    launch: async () => {
      launches.push(launches.length + 1);
      return { connected: true, browser: { pages: async () => [page] }, onDisconnected: () => () => undefined, close: async () => undefined };
    },
  } as unknown as BrowserHost;
  const adapter = {
    id: 'portal-sim',
    origin: 'http://127.0.0.1:1',
    login: async (loginPage: unknown) => {
      if (loginPage !== page) throw new Error('login on a page of no browser');
      logins.push(logins.length + 1);
    },
  } as unknown as PortalAdapter;
  const runtime = new MasterSessionRuntime({
    host: new ActorHost({ store: new MemoryEventStore(), clock: new SimulatedClock(0), definitions: [MASTER_SESSION_MACHINE] }),
    browsers,
    profiles: { profileDir: async () => '/nonexistent/profile' } as unknown as ProfileStore,
    portals: new PortalRegistry([adapter]),
    captcha: () => ({ solve: async () => 'ABCDE' }) as unknown as CaptchaSolver,
    secrets: new MemorySecretProvider().set('secret://portal-sim/login', { username: 'agent', password: 'pw' }),
    clock: new SimulatedClock(0),
    logger: silentLogger,
  });
  const ctx = { signal: new AbortController().signal } as EffectContext<StateOf<MasterSessionDefinition>>;
  const params = { portal: 'portal-sim', credentialsRef: 'secret://portal-sim/login', challengeId: null };
  return { runtime, launches, logins, ctx, params };
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
