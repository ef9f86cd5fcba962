// A portal's browser settings on a real Chromium: user agent, language, time zone and window
// size as the page sees them, downloads saved to the configured folder, and a proxy that asks
// for a login reached with the credentials from the settings (resolved when a page is prepared),
// for pages of the browser and of a clone context in it.
import { createServer, request as httpRequest, type IncomingMessage, type Server } from 'node:http';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { browserTestKit, type BrowserTestKit } from '../test-support/browser-test-kit';

jest.setTimeout(240_000);

const listen = async (server: Server): Promise<string> => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
};

describe('browser settings (real Chromium)', () => {
  let kit: BrowserTestKit;
  let site: Server;
  let siteUrl: string;
  let proxy: Server;
  let proxyUrl: string;
  const proxied: { url: string; login: string | null }[] = [];
  const seen: { userAgent?: string; language?: string }[] = [];

  beforeAll(async () => {
    kit = await browserTestKit(1000);
    site = createServer((req, res) => {
      seen.push({ userAgent: req.headers['user-agent'], language: req.headers['accept-language'] });
      if (req.url === '/report.csv') {
        res.writeHead(200, { 'content-type': 'text/csv', 'content-disposition': 'attachment; filename="report.csv"' });
        res.end('id,state\n1,submitted\n');
        return;
      }
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<!doctype html><title>site</title><a id="dl" href="/report.csv">report</a>');
    });
    siteUrl = await listen(site);
    // A forward proxy that wants a login: 407 without it, the request passed on with it.
    proxy = createServer((req: IncomingMessage, res) => {
      const header = req.headers['proxy-authorization'];
      const login = header?.startsWith('Basic ') ? Buffer.from(header.slice(6), 'base64').toString() : null;
      proxied.push({ url: req.url ?? '', login });
      if (login !== 'proxy-user:proxy-pass') {
        res.writeHead(407, { 'proxy-authenticate': 'Basic realm="test"' });
        res.end();
        return;
      }
      const target = new URL(req.url ?? '/');
      const upstream = httpRequest({ host: target.hostname, port: target.port, path: target.pathname + target.search, method: req.method, headers: req.headers }, (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      });
      req.pipe(upstream);
    });
    proxyUrl = await listen(proxy);
  });

  afterAll(async () => {
    const leftovers = await kit.teardown();
    await new Promise((resolve) => site.close(resolve));
    await new Promise((resolve) => proxy.close(resolve));
    expect(leftovers).toEqual({ processes: [], files: [] });
  });

  it('shows pages the user agent, language, time zone and window size of the settings, and saves downloads in the folder', async () => {
    const downloadDir = join(kit.root, 'data', 'downloads');
    const managed = await kit.host.launch({
      timeoutMs: 60_000,
      settings: { userAgent: 'PortalEngine/Test', locale: 'de-DE', timezone: 'Asia/Tokyo', viewport: { width: 1024, height: 700 }, downloadDir },
    });
    try {
      const page = await managed.browser.newPage();
      await managed.preparePage(page);
      await page.goto(siteUrl);
      const seenByPage = await page.evaluate(() => ({
        userAgent: navigator.userAgent,
        language: navigator.language,
        timeZone: Intl.DateTimeFormat().resolvedOptions().timeZone,
        width: window.innerWidth,
        height: window.innerHeight,
      }));
      expect(seenByPage).toEqual({ userAgent: 'PortalEngine/Test', language: 'de-DE', timeZone: 'Asia/Tokyo', width: 1024, height: 700 });
      expect(seen.at(-1)).toMatchObject({ userAgent: 'PortalEngine/Test' });
      expect(seen.at(-1)?.language).toMatch(/^de-DE/);
      await page.click('#dl');
      const saved = join(downloadDir, 'report.csv');
      const deadline = Date.now() + 60_000;
      while (!existsSync(saved) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
      expect(readFileSync(saved, 'utf8')).toBe('id,state\n1,submitted\n');
    } finally {
      await managed.close();
    }
  });

  it('goes through the proxy with the login from the settings, in the browser and in a clone context', async () => {
    let resolved = 0;
    const managed = await kit.host.launch({
      timeoutMs: 60_000,
      settings: {
        proxy: proxyUrl,
        // Loopback is never proxied unless told: the test's site is on loopback.
        args: ['--proxy-bypass-list=<-loopback>'],
        proxyCredentials: async () => {
          resolved++;
          return { username: 'proxy-user', password: 'proxy-pass' };
        },
      },
    });
    try {
      const page = await managed.browser.newPage();
      await managed.preparePage(page);
      const answer = await page.goto(`${siteUrl}/via-proxy`);
      expect(answer?.status()).toBe(200);
      const context = await managed.browser.createBrowserContext();
      const clonePage = await context.newPage();
      await managed.preparePage(clonePage);
      expect((await clonePage.goto(`${siteUrl}/clone-via-proxy`))?.status()).toBe(200);
      await context.close();
      expect(proxied.filter((r) => r.login === 'proxy-user:proxy-pass').map((r) => new URL(r.url).pathname)).toEqual(expect.arrayContaining(['/via-proxy', '/clone-via-proxy']));
      expect(resolved).toBe(2);
    } finally {
      await managed.close();
    }
  });
});
