// The inspector's own settings, read from the environment next to the server configuration:
// where the page's assets are, and the optional Stately inspection bridge (off unless
// INSPECT_WS_URL is set).
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ValidationError } from '@engine/core';

export const INSPECTOR_OPTIONS = Symbol('INSPECTOR_OPTIONS');

export interface InspectorOptions {
  /** ws:// or wss:// URL of a Stately inspector relay; null = bridge off. */
  inspectWsUrl: string | null;
  /** Folder holding index.html and the page's scripts and stylesheets. */
  assetsDir: string;
}

export function inspectorOptionsFrom(env: NodeJS.ProcessEnv = process.env): InspectorOptions {
  const url = env.INSPECT_WS_URL?.trim() || null;
  if (url !== null && !isWebSocketUrl(url)) throw new ValidationError('invalid server configuration', { INSPECT_WS_URL: 'must be a ws:// or wss:// URL' });
  return {
    inspectWsUrl: url,
    assetsDir: findAssetsDir(__dirname),
  };
}

function isWebSocketUrl(text: string): boolean {
  try {
    return ['ws:', 'wss:'].includes(new URL(text).protocol);
  } catch {
    return false;
  }
}

/**
 * The assets stay in the repository (apps/server/public/inspector, no build step); walking up
 * from this file finds them both from the sources and from a compiled dist/ tree.
 */
function findAssetsDir(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const candidate = join(dir, 'apps', 'server', 'public', 'inspector');
    if (existsSync(join(candidate, 'index.html'))) return candidate;
    if (dirname(dir) === dir) throw new ValidationError('inspector assets not found', { assetsDir: `no apps/server/public/inspector above ${from}` });
  }
}
