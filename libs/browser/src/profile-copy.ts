// Copies a Chromium profile folder without what makes a copy unusable or slow: the Singleton*
// locks (a copy carrying them makes the new browser think the profile is in use) and caches
// (large, rebuilt on demand). Tolerates files vanishing mid-copy, as a running browser rotates them.
import { copyFile, mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { ProfileError } from './errors';

const SKIPPED_NAMES = new Set([
  'Cache',
  'Code Cache',
  'GPUCache',
  'GrShaderCache',
  'GraphiteDawnCache',
  'ShaderCache',
  'DawnCache',
  'DawnGraphiteCache',
  'DawnWebGPUCache',
  'CacheStorage',
  'ScriptCache',
  'component_crx_cache',
  'extensions_crx_cache',
  'BrowserMetrics',
  'Crashpad',
  'optimization_guide_model_store',
  'Safe Browsing',
]);

export function isSkippedProfileEntry(name: string): boolean {
  return name.startsWith('Singleton') || SKIPPED_NAMES.has(name) || name.endsWith('.tmp');
}

export async function copyProfile(source: string, target: string): Promise<void> {
  try {
    await copyTree(source, target);
  } catch (error) {
    throw new ProfileError('PROFILE_COPY_FAILED', 'copying a browser profile failed', error);
  }
}

async function copyTree(source: string, target: string): Promise<void> {
  await mkdir(target, { recursive: true });
  const entries = await readdir(source, { withFileTypes: true }).catch(ignoreVanished([]));
  for (const entry of entries) {
    if (isSkippedProfileEntry(entry.name)) continue;
    const from = join(source, entry.name);
    const to = join(target, entry.name);
    // Symlinks and sockets are Chromium's process-local plumbing, never session state.
    if (entry.isDirectory()) await copyTree(from, to);
    else if (entry.isFile()) await copyFile(from, to).catch(ignoreVanished(undefined));
  }
}

function ignoreVanished<T>(fallback: T): (error: NodeJS.ErrnoException) => T {
  return (error) => {
    if (error.code === 'ENOENT') return fallback;
    throw error;
  };
}
