// Finds the system Chromium: CHROMIUM_PATH first, then the Debian locations. puppeteer-core
// never downloads a browser, so a missing one must fail clearly instead of deep inside launch.
import { accessSync, constants } from 'node:fs';
import { ChromiumNotFoundError } from './errors';

export const DEFAULT_CHROMIUM_CANDIDATES = ['/usr/lib/chromium/chromium', '/usr/bin/chromium'] as const;

export function findChromium(env: NodeJS.ProcessEnv = process.env, isExecutable: (path: string) => boolean = canExecute): string {
  const candidates = [env.CHROMIUM_PATH, ...DEFAULT_CHROMIUM_CANDIDATES].filter((c): c is string => Boolean(c));
  const found = candidates.find(isExecutable);
  if (!found) throw new ChromiumNotFoundError(candidates);
  return found;
}

function canExecute(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
