// Launches the system's headless Chromium for the integration tests: one browser per test
// file, a throw-away profile, and a disposal that leaves no process or folder behind.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import puppeteer, { type Browser } from 'puppeteer-core';
import { CHROMIUM_FLAGS, findChromium } from '@engine/browser';

export interface LaunchedChromium {
  browser: Browser;
  dispose(): Promise<void>;
}

export async function launchChromium(): Promise<LaunchedChromium> {
  const userDataDir = mkdtempSync(join(tmpdir(), 'portal-sim-chromium-'));
  const browser = await puppeteer.launch({
    executablePath: findChromium(),
    headless: true,
    args: [...CHROMIUM_FLAGS],
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
