// Shared set-up for this lib's Chromium tests: a BrowserHost whose profiles live under one temp
// root per test file, so teardown can prove that no Chromium of ours is left running.
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BrowserHost } from '@engine/browser';

export interface ChromiumKit {
  root: string;
  host: BrowserHost;
  /** Closes every browser of the host, removes the root, and lists Chromium processes still running under it after a grace period. */
  teardown(): Promise<string[]>;
}

export async function chromiumKit(): Promise<ChromiumKit> {
  const root = await mkdtemp(join(tmpdir(), 'engine-lib-test-'));
  const host = new BrowserHost({ tempDir: root, closeTimeoutMs: 3_000 });
  return {
    root,
    host,
    teardown: async () => {
      await host.closeAll();
      // A renderer of a SIGKILLed browser exits on its own once it notices its parent is gone;
      // give it a moment before calling it a leak.
      let leftovers = chromiumProcessesUnder(root);
      for (let waited = 0; leftovers.length > 0 && waited < 5_000; waited += 100) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        leftovers = chromiumProcessesUnder(root);
      }
      await rm(root, { recursive: true, force: true });
      return leftovers;
    },
  };
}

function chromiumProcessesUnder(root: string): string[] {
  try {
    return execFileSync('pgrep', ['-fa', 'chromium'], { encoding: 'utf8' })
      .split('\n')
      .filter((line) => line.includes(root));
  } catch {
    return []; // pgrep exits 1 when nothing matches
  }
}
