import type { Page } from 'puppeteer-core';
import { AbortedError } from '@engine/core';
import type { ManagedBrowser } from './managed-browser';
import { probeSession, type ProbeSelectors } from '@portal-engine/adapter-kit';
import { browserTestKit, firstPage, loginToFixture, type BrowserTestKit } from '../test-support/browser-test-kit';
import { startFixturePortal, type FixturePortal } from '../test-support/fixture-portal';

// Real Chromium: launches take seconds on a loaded machine (jest's per-project testTimeout is not applied).
jest.setTimeout(240_000);

const selectors: ProbeSelectors = { loginForm: '#login', loggedIn: '#dashboard', loginUrlPatterns: [/^\/login$/] };
const NO_HANG_MS = 5000;

describe('probeSession (real Chromium)', () => {
  let kit: BrowserTestKit;
  let portal: FixturePortal;
  let browser: ManagedBrowser;
  let page: Page;

  beforeAll(async () => {
    kit = await browserTestKit();
    portal = await startFixturePortal();
    browser = await kit.host.launch({ timeoutMs: 60_000 });
    page = await loginToFixture(await firstPage(browser), portal.url);
  });

  afterAll(async () => {
    const leftovers = await kit.teardown();
    await portal.close();
    expect(leftovers).toEqual({ processes: [], files: [] });
  });

  it('reports a live session as valid from the logged-in selector, without waiting for the page load (its image never finishes)', async () => {
    const result = await probeSession(page, selectors, { url: `${portal.url}/dashboard`, timeoutMs: 60_000 });
    expect(result).toMatchObject({ status: 'valid', evidence: { kind: 'selector', marker: 'loggedIn', detail: '#dashboard' } });
    expect(result.elapsedMs).toBeGreaterThanOrEqual(0);
  });

  it('accepts a logged-in URL pattern when no login form is on the page', async () => {
    const byUrl = { ...selectors, loggedIn: '#never-there', loggedInUrlPatterns: [/^\/dashboard$/] };
    const result = await probeSession(page, byUrl, { url: `${portal.url}/dashboard`, timeoutMs: 60_000 });
    expect(result).toMatchObject({ status: 'valid', evidence: { kind: 'url', marker: 'loggedInUrlPatterns', detail: '/dashboard', pattern: '/^\\/dashboard$/' } });
  });

  it('tells pages served from one path apart by their query string, with URL markers only, naming the marker but not the query', async () => {
    const byQuery: ProbeSelectors = { loginUrlPatterns: [/^\/dashboard\?page=login(&|$)/], loggedInUrlPatterns: [/^\/dashboard\?page=home(&|$)/] };
    const loginPage = await probeSession(page, byQuery, { url: `${portal.url}/dashboard?page=login&token=s3cr3t`, timeoutMs: 60_000 });
    expect(loginPage).toMatchObject({ status: 'login-form', evidence: { kind: 'url', marker: 'loginUrlPatterns', detail: '/dashboard' } });
    const workPage = await probeSession(page, byQuery, { url: `${portal.url}/dashboard?page=home&token=s3cr3t`, timeoutMs: 60_000 });
    expect(workPage).toMatchObject({ status: 'valid', evidence: { kind: 'url', marker: 'loggedInUrlPatterns', detail: '/dashboard' } });
    expect(JSON.stringify([loginPage.evidence, workPage.evidence])).not.toContain('s3cr3t');
  });

  it('with URL markers only, a page matching none of them is unknown at the deadline', async () => {
    const byQuery: ProbeSelectors = { loginUrlPatterns: [/\?page=login/], loggedInUrlPatterns: [/\?page=home/] };
    const result = await probeSession(page, byQuery, { url: `${portal.url}/dashboard?page=other`, timeoutMs: 1500 });
    expect(result).toMatchObject({ status: 'unknown', evidence: { kind: 'timeout', marker: 'timeout' } });
  });

  it('reports a session killed on the server as login-form, from the redirect, with the path only as evidence', async () => {
    const clone = await browser.browser.createBrowserContext();
    try {
      const other = await clone.newPage();
      await loginToFixture(other, portal.url);
      portal.killSessions();
      const result = await probeSession(other, selectors, { url: `${portal.url}/dashboard`, timeoutMs: 60_000 });
      expect(result).toMatchObject({ status: 'login-form', evidence: { kind: 'url', marker: 'loginUrlPatterns', detail: '/login', pattern: '/^\\/login$/' } });
    } finally {
      await clone.close();
      page = await loginToFixture(await firstPage(browser), portal.url);
    }
  });

  it('falls back to the login-form selector when the login page has no recognisable URL', async () => {
    const bySelector = { ...selectors, loginUrlPatterns: [] };
    const result = await probeSession(page, bySelector, { url: `${portal.url}/login`, timeoutMs: 60_000 });
    expect(result).toMatchObject({ status: 'login-form', evidence: { kind: 'selector', marker: 'loginForm', detail: '#login' } });
  });

  it('returns unknown with the status code on a 5xx page', async () => {
    const result = await probeSession(page, selectors, { url: `${portal.url}/unavailable`, timeoutMs: 60_000 });
    expect(result).toMatchObject({ status: 'unknown', evidence: { kind: 'http-status', detail: '503' } });
  });

  it('returns unknown after the timeout when neither selector shows up', async () => {
    const result = await probeSession(page, selectors, { url: `${portal.url}/blank`, timeoutMs: 300 });
    expect(result).toMatchObject({ status: 'unknown', evidence: { kind: 'timeout' } });
  });

  it('rejects with AbortedError when aborted mid-navigation, leaving the page usable and nothing opened', async () => {
    const contexts = browser.browser.browserContexts().length;
    const pages = (await browser.browser.pages()).length;
    const controller = new AbortController();
    const started = Date.now();
    const probe = probeSession(page, selectors, { url: `${portal.url}/slow`, timeoutMs: 30_000, signal: controller.signal });
    setTimeout(() => controller.abort(), 150);
    await expect(probe).rejects.toBeInstanceOf(AbortedError);
    expect(Date.now() - started).toBeLessThan(NO_HANG_MS);
    expect(browser.browser.browserContexts()).toHaveLength(contexts);
    expect(await browser.browser.pages()).toHaveLength(pages);
    const after = await probeSession(page, selectors, { url: `${portal.url}/dashboard`, timeoutMs: 60_000 });
    expect(after.status).toBe('valid');
  });
});
