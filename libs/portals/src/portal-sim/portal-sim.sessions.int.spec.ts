// Session cloning and probing against the real simulator: its HttpOnly ASP.NET_SessionId is a
// session cookie, so a profile copy alone would be logged out; both strategies must not be.
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BrowserHost, copyProfile, ProfileStore, SessionCloner, type ManagedBrowser, type SessionSource } from '@engine/browser';
import { startPortalSim, type PortalSim } from '@engine/portal-sim';
import { PortalSimCaptchaSolver } from './portal-sim-captcha-solver';
import { PortalSimAdapter } from './portal-sim.adapter';

// Real Chromium and the real simulator (jest's per-project testTimeout is not applied).
jest.setTimeout(240_000);

// Bounds against a hang, not speed checks: a loaded machine takes many seconds per profile copy.
const op = { timeoutMs: 60_000 };

describe('cloning a portal-sim session (real Chromium)', () => {
  let root: string;
  let sim: PortalSim;
  let host: BrowserHost;
  let master: ManagedBrowser;
  let adapter: PortalSimAdapter;
  let source: SessionSource;
  let cloner: SessionCloner;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'engine-test-'));
    sim = await startPortalSim({ port: 0, testHooks: true, seed: 11 });
    host = new BrowserHost({ tempDir: root });
    adapter = new PortalSimAdapter({ baseUrl: sim.url });
    const profiles = new ProfileStore(join(root, 'data'));
    master = await host.launch({ ...op, userDataDir: await profiles.profileDir(adapter.id) });
    const page = (await master.browser.pages())[0];
    await adapter.login(page, { username: 'agent', password: 'Secr3t!pass' }, new PortalSimCaptchaSolver(sim.url), op);
    source = { browser: master, page, origin: adapter.origin };
    cloner = new SessionCloner({ host, tempDir: root });
  });

  afterAll(async () => {
    await cloner.close();
    await host.closeAll();
    await sim.close();
    const left = (await readdir(root)).filter((name) => name !== 'data');
    await rm(root, { recursive: true, force: true });
    expect(left).toEqual([]);
  });

  it.each(['context', 'profile-copy'] as const)('a %s clone is logged in and reaches the dashboard', async (strategy) => {
    const clone = await cloner.clone(source, { ...op, strategy });
    try {
      expect(await adapter.probe(clone.page, op)).toMatchObject({ status: 'valid', evidence: { kind: 'selector', detail: '#divMainMotors' } });
      expect(new URL(clone.page.url()).pathname).toBe('/Dashboard.aspx');
      const sessionCookie = (await clone.page.browserContext().cookies()).find((c) => c.name === 'ASP.NET_SessionId');
      expect(sessionCookie).toMatchObject({ httpOnly: true, session: true });
    } finally {
      await clone.close();
    }
  });

  it('a plain profile copy, without the cookies restored through CDP, is logged out (why profile-copy restores them)', async () => {
    const copy = await mkdtemp(join(root, 'plain-copy-'));
    await copyProfile(master.userDataDir as string, copy);
    const plain = await host.launch({ ...op, userDataDir: copy, removeUserDataDirOnClose: true });
    try {
      expect((await adapter.probe((await plain.browser.pages())[0], op)).status).toBe('login-form');
    } finally {
      await plain.close();
    }
  });

  it('after the server kills the session, the master and its clones are probed as login-form', async () => {
    const clones = [await cloner.clone(source, op), await cloner.clone(source, { ...op, strategy: 'profile-copy' })];
    try {
      expect(sim.killSessions()).toBeGreaterThan(0);
      for (const page of [source.page, ...clones.map((c) => c.page)]) {
        expect(await adapter.probe(page, op)).toMatchObject({ status: 'login-form', evidence: { kind: 'url', detail: '/Login.aspx' } });
      }
    } finally {
      await Promise.all(clones.map((clone) => clone.close()));
    }
  });
});
