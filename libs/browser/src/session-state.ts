// What a logged-in session is, as far as a clone needs it: every cookie of the master's browser
// context (HttpOnly and session cookies included, read through CDP Storage.getCookies) and the
// portal origin's localStorage and sessionStorage (read through CDP DOMStorage, so no script
// runs inside the portal's page).
import type { BrowserContext, Cookie, CookieData, Page } from 'puppeteer-core';

export interface SessionState {
  origin: string;
  cookies: CookieData[];
  localStorage: Array<[string, string]>;
  sessionStorage: Array<[string, string]>;
}

export async function captureSession(page: Page, origin: string): Promise<SessionState> {
  const storageKey = { securityOrigin: new URL(origin).origin };
  const cdp = await page.createCDPSession();
  try {
    const [cookies, local, session] = await Promise.all([
      page.browserContext().cookies(),
      cdp.send('DOMStorage.getDOMStorageItems', { storageId: { ...storageKey, isLocalStorage: true } }),
      cdp.send('DOMStorage.getDOMStorageItems', { storageId: { ...storageKey, isLocalStorage: false } }),
    ]);
    return {
      origin: storageKey.securityOrigin,
      cookies: cookies.map(toCookieData),
      localStorage: local.entries.map(([key, value]) => [key, value]),
      sessionStorage: session.entries.map(([key, value]) => [key, value]),
    };
  } finally {
    await cdp.detach().catch(() => undefined);
  }
}

/** Sets the cookies in a context through CDP Storage.setCookies; session cookies stay session cookies. */
export async function restoreCookies(context: BrowserContext, state: SessionState): Promise<void> {
  if (state.cookies.length > 0) await context.setCookie(...state.cookies);
}

/**
 * Seeds the origin's storage into the page's first document on that origin. CDP cannot write
 * DOM storage for an origin without a frame on it, and an extra navigation would cost a round
 * trip, so a script runs before the portal's own scripts and is removed once it has run.
 */
export async function seedStorage(page: Page, state: SessionState): Promise<void> {
  if (state.localStorage.length === 0 && state.sessionStorage.length === 0) return;
  const { identifier } = await page.evaluateOnNewDocument(
    (origin: string, local: Array<[string, string]>, session: Array<[string, string]>) => {
      if (location.origin !== origin) return;
      for (const [key, value] of local) if (localStorage.getItem(key) === null) localStorage.setItem(key, value);
      for (const [key, value] of session) if (sessionStorage.getItem(key) === null) sessionStorage.setItem(key, value);
    },
    state.origin,
    state.localStorage,
    state.sessionStorage,
  );
  const onNavigated = (frame: { url(): string }) => {
    if (frame !== page.mainFrame() || originOf(frame.url()) !== state.origin) return;
    page.off('framenavigated', onNavigated);
    void page.removeScriptToEvaluateOnNewDocument(identifier).catch(() => undefined);
  };
  page.on('framenavigated', onNavigated);
}

function toCookieData(cookie: Cookie): CookieData {
  const data: CookieData = {
    name: cookie.name,
    value: cookie.value,
    domain: cookie.domain,
    path: cookie.path,
    secure: cookie.secure,
    httpOnly: cookie.httpOnly,
    sameSite: cookie.sameSite,
    priority: cookie.priority,
    sourceScheme: cookie.sourceScheme,
    partitionKey: cookie.partitionKey,
  };
  // A session cookie has no expiry; giving it one would turn it into a persistent cookie.
  if (!cookie.session) data.expires = cookie.expires;
  return data;
}

function originOf(url: string): string | undefined {
  try {
    return new URL(url).origin;
  } catch {
    return undefined;
  }
}
