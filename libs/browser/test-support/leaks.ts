// Leak checks for browser tests: Chromium processes whose command line mentions a folder (each
// test file keeps its profiles under one temp root), and files left in that root.
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';

export function chromiumProcessesUnder(root: string): string[] {
  let lines: string;
  try {
    lines = execFileSync('pgrep', ['-fa', 'chromium'], { encoding: 'utf8' });
  } catch {
    return []; // pgrep exits 1 when nothing matches
  }
  return lines.split('\n').filter((line) => line.includes(root));
}

export function entriesUnder(root: string): string[] {
  return readdirSync(root);
}
