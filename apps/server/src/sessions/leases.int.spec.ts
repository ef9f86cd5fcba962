// Session leases over HTTP against the real server in-process, the portal simulator and a real
// master session (its own Chromium): a devtools lease is a browser of its own on 127.0.0.1 whose
// pages are logged in and which shows none of the master's pages; DELETE closes it (the endpoint
// is gone); a short ttl ends a lease by itself (waited on its stream, with a ceiling); a cookies
// lease hands the cookies out once and no event of its stream holds them; refusals (master not
// ready, cap, bad input) are 4xx and append nothing; the inspector's Leases section shows a live
// lease as it starts and drops it as it ends.
import puppeteer, { type Browser } from 'puppeteer-core';
import { MemorySecretProvider } from '@engine/core';
import { isMasterAvailable } from '@engine/machines';
import { PortalSimAdapter, PortalSimCaptchaSolver } from '@engine/portals';
import { startPortalSim, type PortalSim } from '@engine/portal-sim';
import { launchChromium, signInToInspector } from '../inspector/testing/headless-chromium';
import { startInspectorTestServer, type InspectorTestServer } from '../inspector/testing/inspector-test-server';

jest.setTimeout(180_000);

const PORTAL = 'portal-sim';
const CEILING_MS = 90_000;
let sim: PortalSim;
let server: InspectorTestServer;
const scripts: Browser[] = [];

type Json = Record<string, unknown>;
async function call(method: string, path: string, body?: unknown, token = server.token): Promise<{ status: number; body: Json }> {
  const response = await fetch(`${server.url}${path}`, {
    method,
    headers: { Authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as Json) : {} };
}
const eventCount = async () => (await server.engine.store.readAll()).length;
const leaseEvents = async (leaseId: string) => JSON.stringify(await server.engine.store.read(`lease-${leaseId}`));
/** Whether a DevTools client can connect to the endpoint (ws rejects with an event, not an Error). */
const reachable = (endpoint: string) =>
  puppeteer.connect({ browserWSEndpoint: endpoint, protocolTimeout: 10_000 }).then(
    async (browser) => {
      await browser.disconnect();
      return true;
    },
    () => false,
  );
const ended = (leaseId: string) =>
  server.engine.feed.waitFor(`lease-${leaseId}`, (entry) => entry?.state?.status === 'done', { signal: AbortSignal.timeout(CEILING_MS) });

beforeAll(async () => {
  sim = await startPortalSim({ seed: 17, testHooks: true });
  server = await startInspectorTestServer({
    engine: {
      // A second id on the same simulator, without credentials: it never has a master session.
      portals: [new PortalSimAdapter({ baseUrl: sim.url }), new PortalSimAdapter({ baseUrl: sim.url, id: 'portal-idle' })],
      secrets: new MemorySecretProvider().set('secret://portal-sim/login', { username: 'agent', password: 'Secr3t!pass' }),
      credentials: { [PORTAL]: 'secret://portal-sim/login' },
      captcha: () => new PortalSimCaptchaSolver(sim.url),
      leases: { maxLeases: 2 },
    },
  });
  await server.engine.feed.waitFor(`master-${PORTAL}`, (entry) => isMasterAvailable(entry?.state ?? undefined), { signal: AbortSignal.timeout(CEILING_MS) });
});

afterAll(async () => {
  await Promise.all(scripts.map((s) => s.disconnect().catch(() => undefined)));
  await server?.close();
  await sim?.close();
});

describe('session leases over HTTP', () => {
  it('lends an isolated, logged-in browser over DevTools; the script sees none of the master\'s pages; DELETE closes it', async () => {
    const master = server.engine.masterSessions.source(PORTAL);
    if (!master) throw new Error('the master session has no live browser');
    await master.page.evaluate(() => {
      window.name = 'engine-master-page';
    });

    const created = await call('POST', '/api/sessions/leases', { portal: PORTAL, ttlMs: 600_000 });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ portal: PORTAL, mode: 'devtools', state: 'active', by: 'api', ttlMs: 600_000, cookies: null });
    const leaseId = created.body.leaseId as string;
    const endpoint = (created.body.devtools as { browserWSEndpoint: string }).browserWSEndpoint;
    expect(endpoint).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/devtools\/browser\/[0-9a-f-]+$/);
    expect(Date.parse(created.body.expiresAt as string) - Date.parse(created.body.createdAt as string)).toBe(600_000);

    expect(await reachable(endpoint)).toBe(true);
    const script = await puppeteer.connect({ browserWSEndpoint: endpoint });
    scripts.push(script);
    // Its own browser: one context, its own blank page, none of the master's or the jobs' pages.
    expect(script.browserContexts()).toHaveLength(1);
    const own = await script.pages();
    expect(own.map((p) => p.url())).toEqual(['about:blank']);
    const names = await Promise.all(own.map((p) => p.evaluate(() => window.name)));
    expect(names).not.toContain('engine-master-page');
    expect(await script.version()).toMatch(/Chrome/);

    const page = await script.newPage();
    await page.goto(`${sim.url}/Dashboard.aspx`, { timeout: 30_000 });
    await page.waitForSelector('#divMainMotors', { timeout: 30_000 });
    expect(new URL(page.url()).pathname).toBe('/Dashboard.aspx');
    expect(await master.page.evaluate(() => window.name)).toBe('engine-master-page');

    const listed = await call('GET', '/api/sessions/leases');
    expect(listed.status).toBe(200);
    expect(listed.body.items).toEqual([expect.objectContaining({ leaseId, state: 'active' })]);
    expect(JSON.stringify(listed.body)).not.toContain(endpoint);
    const inspector = await call('GET', '/api/inspector/streams?kind=session-lease');
    expect(inspector.body.items).toEqual([expect.objectContaining({ stream: `lease-${leaseId}`, state: 'active' })]);

    const disconnected = new Promise<void>((resolve) => script.once('disconnected', () => resolve()));
    const released = await call('DELETE', `/api/sessions/leases/${leaseId}`);
    expect(released.status).toBe(200);
    expect(released.body).toMatchObject({ leaseId, state: 'closed', endReason: 'released', endedBy: 'api', closedAt: expect.any(String) });
    await disconnected;
    expect(await reachable(endpoint)).toBe(false);
    expect((await call('GET', `/api/sessions/leases/${leaseId}`)).body).toMatchObject({ state: 'closed', endReason: 'released' });
    expect((await call('GET', '/api/sessions/leases')).body.items).toEqual([]);

    const again = await call('DELETE', `/api/sessions/leases/${leaseId}`);
    expect(again.status).toBe(409);
    const events = await leaseEvents(leaseId);
    expect(events).toContain('"RELEASE"');
    expect(events).not.toContain(endpoint.split('/').pop());
  });

  it('ends by itself when its ttl runs out: recorded as expired, the browser gone', async () => {
    const created = await call('POST', '/api/sessions/leases', { portal: PORTAL, ttlMs: 10_000 });
    expect(created.status).toBe(201);
    const leaseId = created.body.leaseId as string;
    const endpoint = (created.body.devtools as { browserWSEndpoint: string }).browserWSEndpoint;
    expect(await reachable(endpoint)).toBe(true);
    await ended(leaseId);
    const shown = await call('GET', `/api/sessions/leases/${leaseId}`);
    expect(shown.body).toMatchObject({ state: 'closed', endReason: 'expired', endedBy: null });
    expect(await reachable(endpoint)).toBe(false);
    expect(await leaseEvents(leaseId)).toContain('"TIMER.expiry"');
  });

  it('in mode cookies hands the session\'s cookies out once; no event of the lease holds them', async () => {
    const created = await call('POST', '/api/sessions/leases', { portal: PORTAL, mode: 'cookies' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ mode: 'cookies', state: 'active', devtools: null, ttlMs: 300_000 });
    const cookies = created.body.cookies as Array<{ name: string; value: string; domain: string }>;
    const session = cookies.find((c) => c.name === 'ASP.NET_SessionId');
    expect(session?.value).toMatch(/.{8,}/);
    expect(session?.domain).toBe('127.0.0.1');

    const leaseId = created.body.leaseId as string;
    const shown = await call('GET', `/api/sessions/leases/${leaseId}`);
    expect(JSON.stringify(shown.body)).not.toContain(session?.value);
    expect((await call('DELETE', `/api/sessions/leases/${leaseId}`)).body).toMatchObject({ state: 'closed', endReason: 'released' });
    const events = await leaseEvents(leaseId);
    expect(events).toContain('"LEASE_OPENED"');
    for (const cookie of cookies) expect(events).not.toContain(cookie.value);
  });

  it('refuses a portal whose master session is not ready (409 with the reason), an unknown portal, bad input and a lease over the cap — appending nothing', async () => {
    const before = await eventCount();
    const idle = await call('POST', '/api/sessions/leases', { portal: 'portal-idle' });
    expect(idle.status).toBe(409);
    expect(idle.body.reason).toBe('portal portal-idle has no master session');
    expect((await call('POST', '/api/sessions/leases', { portal: 'nowhere' })).status).toBe(404);
    expect((await call('POST', '/api/sessions/leases', { portal: PORTAL, account: 'nobody' })).status).toBe(404);
    expect((await call('POST', '/api/sessions/leases', { portal: PORTAL, account: 'Not An Id!' })).body.fields).toHaveProperty('account');
    expect((await call('POST', '/api/sessions/leases', { portal: PORTAL, ttlMs: 10 })).body.fields).toHaveProperty('ttlMs');
    expect((await call('POST', '/api/sessions/leases', { portal: PORTAL, ttlMs: 3_600_001 })).status).toBe(400);
    expect((await call('POST', '/api/sessions/leases', { portal: PORTAL, mode: 'master' })).status).toBe(400);
    expect((await call('POST', '/api/sessions/leases', { portal: PORTAL, owner: 'me' })).body.fields).toEqual({ owner: 'unknown field' });
    expect((await call('GET', '/api/sessions/leases/..%2Fx')).status).toBe(400);
    expect((await call('GET', '/api/sessions/leases/unknown-lease')).status).toBe(404);
    expect((await call('POST', '/api/sessions/leases', { portal: PORTAL }, 'not-the-token-at-all')).status).toBe(401);
    expect(await eventCount()).toBe(before);

    const first = await call('POST', '/api/sessions/leases', { portal: PORTAL, mode: 'cookies' });
    const second = await call('POST', '/api/sessions/leases', { portal: PORTAL, mode: 'cookies' });
    expect([first.status, second.status]).toEqual([201, 201]);
    const afterTwo = await eventCount();
    const third = await call('POST', '/api/sessions/leases', { portal: PORTAL, mode: 'cookies' });
    expect(third.status).toBe(409);
    expect(third.body.reason).toBe('at most 2 leases may be live at once (leases.maxLeases)');
    expect(await eventCount()).toBe(afterTwo);
    for (const lease of [first, second]) expect((await call('DELETE', `/api/sessions/leases/${lease.body.leaseId as string}`)).status).toBe(200);
    // The master session is untouched by all of it: still ready for jobs.
    expect(server.engine.sessions.get(PORTAL).state).toBe('ready');
  });

  it('the inspector lists a live lease in its Leases section as it starts and drops it as it ends, showing nothing lent', async () => {
    const chromium = await launchChromium();
    try {
      const page = await chromium.browser.newPage();
      await signInToInspector(page, server.url, server.token, 60_000);
      await page.waitForSelector('#list-view:not([hidden])', { timeout: 60_000 });
      await page.waitForFunction(() => document.querySelector('#lease-summary')?.textContent === 'no live lease', { timeout: 60_000 });
      const created = await call('POST', '/api/sessions/leases', { portal: PORTAL, mode: 'cookies' });
      expect(created.status).toBe(201);
      const leaseId = created.body.leaseId as string;
      const row = `#lease-rows tr[data-lease="${leaseId}"]`;
      await page.waitForSelector(row, { timeout: 60_000 });
      expect(await page.$eval(row, (tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent))).toEqual([leaseId, PORTAL, 'cookies', 'active', 'api', expect.any(String)]);
      const shown = await page.$eval('#leases', (el) => el.textContent ?? '');
      for (const cookie of created.body.cookies as Array<{ value: string }>) expect(shown).not.toContain(cookie.value);
      expect((await call('DELETE', `/api/sessions/leases/${leaseId}`)).status).toBe(200);
      await page.waitForSelector(row, { hidden: true, timeout: 60_000 });
      expect(await page.$eval('#lease-summary', (el) => el.textContent)).toBe('no live lease');
    } finally {
      await chromium.close();
    }
  });
});
