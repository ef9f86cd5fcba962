// Tells whether a page's session is still logged in with one navigation: a redirect to the
// login URL is recognised from the navigation request itself (before the login page loads);
// otherwise, once the DOM is parsed (never waiting for `load` and its heavy resources), the
// login-form and logged-in selectors race. No verdict before the deadline means `unknown`.
// After an early login-form verdict the page may still be loading the login page; the caller's
// next navigation (a re-login) supersedes it.
import type { HTTPRequest, HTTPResponse, Page } from 'puppeteer-core';
import { TimeoutError } from '@engine/core';
import { runOperation, type OperationOptions, type OperationScope } from './operation';

export interface ProbeSelectors {
  /** Present only on the login page. */
  loginForm: string;
  /** Present only when logged in. */
  loggedIn: string;
  /** URL paths of the login page, matched against every navigation hop. */
  loginUrlPatterns: readonly RegExp[];
  /** URL paths only a logged-in user reaches; a match counts when no login form is on the page. */
  loggedInUrlPatterns?: readonly RegExp[];
}

export type ProbeStatus = 'valid' | 'login-form' | 'unknown';

export interface ProbeEvidence {
  kind: 'url' | 'selector' | 'http-status' | 'timeout';
  /** What matched: a selector, a URL path, a status code. Never a query string or page text. */
  detail: string;
}

export interface ProbeResult {
  status: ProbeStatus;
  evidence: ProbeEvidence;
  elapsedMs: number;
}

export interface ProbeOptions extends OperationOptions {
  /** A page only a logged-in user can see (the portal's dashboard). */
  url: string;
}

type Verdict = Omit<ProbeResult, 'elapsedMs'>;

export async function probeSession(page: Page, selectors: ProbeSelectors, options: ProbeOptions): Promise<ProbeResult> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  try {
    const verdict = await runOperation('probe session', options, (scope) => race(page, selectors, options.url, scope));
    return { ...verdict, elapsedMs: elapsed() };
  } catch (error) {
    if (!(error instanceof TimeoutError)) throw error;
    return { status: 'unknown', evidence: { kind: 'timeout', detail: `no verdict within ${options.timeoutMs} ms` }, elapsedMs: elapsed() };
  }
}

async function race(page: Page, selectors: ProbeSelectors, url: string, scope: OperationScope): Promise<Verdict> {
  const mainFrame = page.mainFrame();
  let redirected: (verdict: Verdict) => void = () => undefined;
  const byRequest = new Promise<Verdict>((resolve) => (redirected = resolve));
  const onRequest = (request: HTTPRequest) => {
    if (!request.isNavigationRequest() || request.frame() !== mainFrame) return;
    const target = pathOf(request.url());
    if (matchesAny(selectors.loginUrlPatterns, target)) redirected({ status: 'login-form', evidence: { kind: 'url', detail: target } });
  };
  page.on('request', onRequest);
  try {
    // The operation's deadline is the only one (timeout 0), so expiry always reads as `unknown`.
    const navigation = page.goto(url, { waitUntil: 'domcontentloaded', timeout: 0, signal: scope.signal });
    return await Promise.race([byRequest, navigation.then((response) => inspectDocument(page, selectors, response, scope))]);
  } finally {
    page.off('request', onRequest);
  }
}

async function inspectDocument(page: Page, selectors: ProbeSelectors, response: HTTPResponse | null, scope: OperationScope): Promise<Verdict> {
  const status = response?.status() ?? 0;
  if (status >= 500) return { status: 'unknown', evidence: { kind: 'http-status', detail: String(status) } };
  const path = pathOf(page.url());
  if (matchesAny(selectors.loginUrlPatterns, path)) return { status: 'login-form', evidence: { kind: 'url', detail: path } };
  // The DOM is parsed: a server-rendered portal already shows which page this is.
  if (await present(page, selectors.loggedIn)) return { status: 'valid', evidence: { kind: 'selector', detail: selectors.loggedIn } };
  if (await present(page, selectors.loginForm)) return { status: 'login-form', evidence: { kind: 'selector', detail: selectors.loginForm } };
  if (selectors.loggedInUrlPatterns && matchesAny(selectors.loggedInUrlPatterns, path)) {
    return { status: 'valid', evidence: { kind: 'url', detail: path } };
  }
  // A page that renders client-side gets until the deadline to show one of the two.
  const wait = (selector: string, status: ProbeStatus) =>
    page
      .waitForSelector(selector, { timeout: 0, signal: scope.signal })
      .then((): Verdict => ({ status, evidence: { kind: 'selector', detail: selector } }));
  return Promise.race([wait(selectors.loginForm, 'login-form'), wait(selectors.loggedIn, 'valid')]);
}

async function present(page: Page, selector: string): Promise<boolean> {
  return (await page.$$eval(selector, (elements) => elements.length)) > 0;
}

function matchesAny(patterns: readonly RegExp[], path: string): boolean {
  return patterns.some((pattern) => pattern.test(path));
}

/** The URL's path only: query strings can carry tokens and return URLs, which evidence must not. */
function pathOf(url: string): string {
  try {
    return new URL(url).pathname;
  } catch {
    return '';
  }
}
