// Test and benchmark support: the system Chromium, headless, through puppeteer-core, with a
// throw-away profile that is removed on close, and no network traffic of its own (the tests
// only talk to 127.0.0.1).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';

import { CHROMIUM_FLAGS, findChromium } from '@engine/browser';

export interface HeadlessChromium {
  browser: Browser;
  close(): Promise<void>;
}

export async function launchChromium(): Promise<HeadlessChromium> {
  const userDataDir = mkdtempSync(join(tmpdir(), 'inspector-chromium-'));
  const browser = await puppeteer.launch({ executablePath: findChromium(), args: [...CHROMIUM_FLAGS], userDataDir, headless: true, defaultViewport: { width: 1400, height: 1000 } });
  return {
    browser,
    async close() {
      await browser.close();
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

/** Opens the inspector of the server at `url` and signs in with the API token, as an operator does. */
export async function signInToInspector(page: Page, url: string, token: string, timeoutMs: number): Promise<void> {
  await page.goto(`${url}/inspector`, { waitUntil: 'domcontentloaded' });
  await page.waitForSelector('#token-input', { visible: true, timeout: timeoutMs });
  await page.type('#token-input', token);
  await page.click('#login-form button[type=submit]');
}
