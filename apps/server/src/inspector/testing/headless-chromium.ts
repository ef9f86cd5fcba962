// Test and benchmark support: the system Chromium, headless, through puppeteer-core, with a
// throw-away profile that is removed on close, and no network traffic of its own (the tests
// only talk to 127.0.0.1).
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import puppeteer, { type Browser } from 'puppeteer-core';

const CANDIDATES = ['/usr/lib/chromium/chromium', '/usr/bin/chromium'];

export const CHROMIUM_ARGS = [
  '--headless=new',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

export function chromiumPath(): string {
  const path = process.env.CHROMIUM_PATH ?? CANDIDATES.find((p) => existsSync(p));
  if (!path) throw new Error(`no Chromium found: set CHROMIUM_PATH or install one of ${CANDIDATES.join(', ')}`);
  return path;
}

export interface HeadlessChromium {
  browser: Browser;
  close(): Promise<void>;
}

export async function launchChromium(): Promise<HeadlessChromium> {
  const userDataDir = mkdtempSync(join(tmpdir(), 'inspector-chromium-'));
  const browser = await puppeteer.launch({ executablePath: chromiumPath(), args: CHROMIUM_ARGS, userDataDir, headless: true, defaultViewport: { width: 1400, height: 1000 } });
  return {
    browser,
    async close() {
      await browser.close();
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}
