// Joins a generated relative path onto a root and proves the result stays inside the root.
import { resolve, sep } from 'node:path';
import { UnsafePathError } from './errors';

export function insideRoot(root: string, ...segments: string[]): string {
  const base = resolve(root);
  const full = resolve(base, ...segments);
  if (full === base || !full.startsWith(base + sep)) throw new UnsafePathError(base);
  return full;
}
