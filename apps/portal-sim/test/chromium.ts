// Launches the system's headless Chromium for the integration tests: one browser per test
// file, a throw-away profile, and a disposal that leaves no process or folder behind.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import puppeteer, { type Browser } from 'puppeteer-core';

const CHROMIUM_ARGS = [
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
  const candidates = [process.env.CHROMIUM_PATH, '/usr/lib/chromium/chromium', '/usr/bin/chromium'];
  const found = candidates.find((path): path is string => !!path && existsSync(path));
  if (!found) throw new Error('Chromium not found: set CHROMIUM_PATH or install Debian chromium');
  return found;
}

export interface LaunchedChromium {
  browser: Browser;
  dispose(): Promise<void>;
}

export async function launchChromium(): Promise<LaunchedChromium> {
  const userDataDir = mkdtempSync(join(tmpdir(), 'portal-sim-chromium-'));
  const browser = await puppeteer.launch({
    executablePath: chromiumPath(),
    headless: true,
    args: CHROMIUM_ARGS,
    userDataDir,
    protocolTimeout: 30_000,
  });
  return {
    browser,
    dispose: async () => {
      const process = browser.process();
      try {
        await browser.close();
      } finally {
        // close() can fail on a wedged browser; the process must not outlive the tests.
        if (process && process.exitCode === null && !process.killed) process.kill('SIGKILL');
        rmSync(userDataDir, { recursive: true, force: true });
      }
    },
  };
}
