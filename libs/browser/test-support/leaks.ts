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

/** Live members of a process group. Zombies are dead already: they only wait for init to reap them. */
export function liveProcessesInGroup(pgid: number): string[] {
  const table = execFileSync('ps', ['-e', '-o', 'pid=,pgid=,stat=,args='], { encoding: 'utf8' });
  return table
    .split('\n')
    .map((line) => line.trim().split(/\s+/))
    .filter(([pid, group, stat]) => pid && Number(group) === pgid && !stat.startsWith('Z'))
    .map((fields) => fields.join(' '));
}
