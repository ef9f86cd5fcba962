// What a portal's browser runs with beyond the fixed flags: extra flags, a proxy (and its login),
// window size, user agent, language, time zone and download folder. Launch-time settings become
// flags and the process environment; page-time ones (the proxy's login, and for a remote browser
// the user agent) are applied to every page the engine opens in that browser, before it navigates.
import type { Page } from 'puppeteer-core';

export interface BrowserSettings {
  /** Flags after the built-in ones. */
  args?: readonly string[];
  /** `scheme://host:port`; Chromium takes no credentials here. */
  proxy?: string | null;
  /** The proxy's login, resolved when a page is prepared (a secret: never logged). */
  proxyCredentials?: (() => Promise<{ username: string; password: string }>) | null;
  viewport?: { width: number; height: number };
  userAgent?: string | null;
  /** A language tag such as de-DE: navigator.language and Accept-Language. */
  locale?: string | null;
  /** An IANA time zone; the process's TZ. */
  timezone?: string | null;
  /** Where downloads go (created when the browser starts). */
  downloadDir?: string | null;
}

export const DEFAULT_VIEWPORT = { width: 1280, height: 800 } as const;

/** The flags a launched browser gets for these settings, after the built-in ones. */
export function settingsArgs(settings: BrowserSettings): string[] {
  const args = [...(settings.args ?? [])];
  if (settings.proxy) args.push(`--proxy-server=${settings.proxy}`);
  if (settings.userAgent) args.push(`--user-agent=${settings.userAgent}`);
  if (settings.locale) args.push(`--lang=${settings.locale}`, `--accept-lang=${settings.locale}`);
  return args;
}

/** The process environment of a launched browser: the time zone is the process's. */
export function settingsEnv(settings: BrowserSettings): NodeJS.ProcessEnv | undefined {
  return settings.timezone ? { ...process.env, TZ: settings.timezone } : undefined;
}

/**
 * Prepares a page the engine is about to use: the proxy's login, and what a remote browser's own
 * flags decide otherwise (user agent, language, time zone), set per page.
 */
export async function preparePage(page: Page, settings: BrowserSettings, remote: boolean): Promise<void> {
  if (settings.proxyCredentials) await page.authenticate(await settings.proxyCredentials());
  if (!remote) return;
  if (settings.userAgent) await page.setUserAgent(settings.userAgent);
  if (settings.locale) await page.setExtraHTTPHeaders({ 'Accept-Language': settings.locale });
  if (settings.timezone) await page.emulateTimezone(settings.timezone);
}
