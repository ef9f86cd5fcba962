// Collects a page's console errors and uncaught exceptions from the moment it is watched, so a
// failure capture can include what went wrong in the page before the failure.
import type { ConsoleMessage, Page } from 'puppeteer-core';

export interface ConsoleErrorLog {
  /** Errors seen so far, oldest first, at most `limit` of them. */
  errors(): string[];
  stop(): void;
}

export function watchConsoleErrors(page: Page, limit = 100): ConsoleErrorLog {
  const seen: string[] = [];
  const add = (text: string) => {
    if (seen.length < limit) seen.push(text.slice(0, 2000));
  };
  const onConsole = (message: ConsoleMessage) => {
    if (message.type() === 'error') add(message.text());
  };
  const onPageError = (error: unknown) => add(error instanceof Error ? `${error.name}: ${error.message}` : String(error));
  page.on('console', onConsole);
  page.on('pageerror', onPageError);
  return {
    errors: () => [...seen],
    stop: () => {
      page.off('console', onConsole);
      page.off('pageerror', onPageError);
    },
  };
}
