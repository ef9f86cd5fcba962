// The DevTools WebSocket endpoint of a browser launched with `loopbackDevtools`: Chromium writes
// the port it was given and the browser target's path to `DevToolsActivePort` in its profile
// folder once it listens. The path holds a random id; the endpoint is handed to the caller only.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BrowserError } from '@engine/core';
import { runOperation, type OperationOptions } from '@portal-engine/adapter-kit';
import type { ManagedBrowser } from './managed-browser';

export function devtoolsEndpoint(browser: ManagedBrowser, options: OperationOptions): Promise<string> {
  return runOperation('read the DevTools endpoint', options, async (scope) => {
    const dir = browser.userDataDir;
    if (!dir || browser.remote) throw new BrowserError('DEVTOOLS_UNAVAILABLE', 'only a browser launched here with loopbackDevtools has a DevTools endpoint');
    for (;;) {
      const text = await readFile(join(dir, 'DevToolsActivePort'), 'utf8').catch(() => '');
      const [port, path] = text.trim().split('\n');
      if (/^\d+$/.test(port ?? '') && path?.startsWith('/devtools/browser/')) return `ws://127.0.0.1:${port}${path}`;
      if (!browser.connected) throw new BrowserError('DEVTOOLS_UNAVAILABLE', 'the browser closed before it listened for DevTools clients');
      await scope.race(new Promise((resolve) => setTimeout(resolve, 50)));
    }
  });
}
