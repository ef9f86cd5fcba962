// Tells whether a page's session is still logged in with one navigation: a redirect to the
// login URL is recognised from the navigation request itself (before the login page loads);
// otherwise, once the DOM is parsed (never waiting for `load` and its heavy resources), the
// login-form and logged-in selectors race. No verdict before the deadline means `unknown`.
// After an early login-form verdict the probe lets the login page finish loading, so the caller's
// next navigation (a re-login) is not overtaken by this one.
import type { HTTPRequest, HTTPResponse, Page } from 'puppeteer-core';
import { TimeoutError } from './errors';
import { runOperation, type OperationOptions, type OperationScope } from './operation';

/**
 * How a page shows whether it is logged in. Each side is a DOM selector, URL patterns, or both;
 * at least one marker per side. URL patterns are tested against the path and against the path
 * with its query string, so a portal that serves its login page and its work pages from one
 * path (`/index.php?title=Special:UserLogin`) is told apart by the query.
 */
export interface ProbeSelectors {
  /** Present only on the login page. */
  loginForm?: string;
  /** Present only when logged in. */
  loggedIn?: string;
  /** URLs of the login page, matched against every navigation hop. */
  loginUrlPatterns?: readonly RegExp[];
  /** URLs only a logged-in user reaches; a match counts when no login form is on the page. */
  loggedInUrlPatterns?: readonly RegExp[];
}

export type ProbeStatus = 'valid' | 'login-form' | 'unknown';

/** Which marker of ProbeSelectors decided; `timeout` and `http-status` are the probe's own. */
export type ProbeMarker = 'loginForm' | 'loggedIn' | 'loginUrlPatterns' | 'loggedInUrlPatterns' | 'timeout' | 'http-status';

export interface ProbeEvidence {
  kind: 'url' | 'selector' | 'http-status' | 'timeout';
  /** The marker that decided, so an operator sees why a session was judged as it was. */
  marker: ProbeMarker;
  /** What matched: a selector, a URL path, a status code. Never a query string or page text. */
  detail: string;
  /** For a URL marker, the pattern that matched (it may look at the query; the evidence does not carry it). */
  pattern?: string;
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
    return { status: 'unknown', evidence: { kind: 'timeout', marker: 'timeout', detail: `no verdict within ${options.timeoutMs} ms` }, elapsedMs: elapsed() };
  }
}

async function race(page: Page, selectors: ProbeSelectors, url: string, scope: OperationScope): Promise<Verdict> {
  const mainFrame = page.mainFrame();
  let redirected: (verdict: Verdict) => void = () => undefined;
  const byRequest = new Promise<Verdict>((resolve) => (redirected = resolve));
  const onRequest = (request: HTTPRequest) => {
    if (!request.isNavigationRequest() || request.frame() !== mainFrame) return;
    const pattern = matching(selectors.loginUrlPatterns, request.url());
    if (pattern) redirected({ status: 'login-form', evidence: urlEvidence('loginUrlPatterns', request.url(), pattern) });
  };
  page.on('request', onRequest);
  try {
    // The operation's deadline is the only one (timeout 0), so expiry always reads as `unknown`.
    const navigation = page.goto(url, { waitUntil: 'domcontentloaded', timeout: 0, signal: scope.signal });
    navigation.catch(() => undefined);
    const verdict = await Promise.race([byRequest, navigation.then((response) => inspectDocument(page, selectors, response, scope))]);
    // A verdict from the redirect itself leaves the login page loading. Let that navigation end
    // (it is one short page) before answering: otherwise it can overtake the caller's next one
    // (a re-login's goto) and destroy the context that caller reads from. Before the deadline only.
    await settledBefore(navigation, scope.remainingMs() - 1);
    return verdict;
  } finally {
    page.off('request', onRequest);
  }
}

/** Resolves when `work` settles or after `ms`, whichever comes first; never rejects. */
async function settledBefore(work: Promise<unknown>, ms: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<void>((resolve) => (timer = setTimeout(resolve, Math.max(0, ms))));
  try {
    await Promise.race([work.then(() => undefined, () => undefined), deadline]);
  } finally {
    clearTimeout(timer);
  }
}

async function inspectDocument(page: Page, selectors: ProbeSelectors, response: HTTPResponse | null, scope: OperationScope): Promise<Verdict> {
  const status = response?.status() ?? 0;
  if (status >= 500) return { status: 'unknown', evidence: { kind: 'http-status', marker: 'http-status', detail: String(status) } };
  const url = page.url();
  const loginUrl = matching(selectors.loginUrlPatterns, url);
  if (loginUrl) return { status: 'login-form', evidence: urlEvidence('loginUrlPatterns', url, loginUrl) };
  // The DOM is parsed: a server-rendered portal already shows which page this is.
  const { loggedIn, loginForm } = selectors;
  if (loggedIn && (await present(page, loggedIn))) return { status: 'valid', evidence: { kind: 'selector', marker: 'loggedIn', detail: loggedIn } };
  if (loginForm && (await present(page, loginForm))) return { status: 'login-form', evidence: { kind: 'selector', marker: 'loginForm', detail: loginForm } };
  const loggedInUrl = matching(selectors.loggedInUrlPatterns, url);
  if (loggedInUrl) return { status: 'valid', evidence: urlEvidence('loggedInUrlPatterns', url, loggedInUrl) };
  // A page that renders client-side gets until the deadline to show one of the two.
  const wait = (selector: string | undefined, marker: 'loginForm' | 'loggedIn', status: ProbeStatus): Promise<Verdict>[] =>
    selector === undefined
      ? []
      : [page.waitForSelector(selector, { timeout: 0, signal: scope.signal }).then((): Verdict => ({ status, evidence: { kind: 'selector', marker, detail: selector } }))];
  const waits = [...wait(loginForm, 'loginForm', 'login-form'), ...wait(loggedIn, 'loggedIn', 'valid')];
  // With URL markers only, this page matched none of them: wait for the deadline, which reads as unknown.
  return waits.length > 0 ? Promise.race(waits) : scope.race(new Promise<never>(() => undefined));
}

async function present(page: Page, selector: string): Promise<boolean> {
  return (await page.$$eval(selector, (elements) => elements.length)) > 0;
}

/** The first pattern matching the URL's path, or its path with the query string. */
function matching(patterns: readonly RegExp[] | undefined, url: string): RegExp | undefined {
  const path = pathOf(url);
  const withQuery = path + queryOf(url);
  return patterns?.find((pattern) => pattern.test(path) || pattern.test(withQuery));
}

function urlEvidence(marker: 'loginUrlPatterns' | 'loggedInUrlPatterns', url: string, pattern: RegExp): ProbeEvidence {
  return { kind: 'url', marker, detail: pathOf(url), pattern: String(pattern) };
}

function queryOf(url: string): string {
  try {
    return new URL(url).search;
  } catch {
    return '';
  }
}

/** The URL's path only: query strings can carry tokens and return URLs, which evidence must not. */
function pathOf(url: string): string {
  try {
    return new URL(url).pathname;
  } catch {
    return '';
  }
}
