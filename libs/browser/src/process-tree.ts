// Reads a browser's process tree from /proc: memory as PSS (RSS counts shared pages once per
// process, which overstates a multi-process browser several times) and the pids to kill.
import { readFile, readdir } from 'node:fs/promises';

/** The pid and all of its descendants, found through /proc/<pid>/task/<tid>/children. */
export async function processTree(rootPid: number): Promise<number[]> {
  const seen: number[] = [];
  const queue = [rootPid];
  while (queue.length > 0) {
    const pid = queue.shift() as number;
    if (seen.includes(pid)) continue;
    seen.push(pid);
    queue.push(...(await childrenOf(pid)));
  }
  return seen;
}

async function childrenOf(pid: number): Promise<number[]> {
  let tasks: string[];
  try {
    tasks = await readdir(`/proc/${pid}/task`);
  } catch {
    return [];
  }
  const children: number[] = [];
  for (const task of tasks) {
    const text = await readFile(`/proc/${pid}/task/${task}/children`, 'utf8').catch(() => '');
    for (const child of text.split(/\s+/)) if (child) children.push(Number(child));
  }
  return children;
}

/** Proportional set size of one process in bytes; 0 if it exited meanwhile. */
export async function processPss(pid: number): Promise<number> {
  const text = await readFile(`/proc/${pid}/smaps_rollup`, 'utf8').catch(() => '');
  const match = /^Pss:\s+(\d+) kB$/m.exec(text);
  return match ? Number(match[1]) * 1024 : 0;
}

export async function treePss(rootPid: number): Promise<number> {
  const pids = await processTree(rootPid);
  const sizes = await Promise.all(pids.map(processPss));
  return sizes.reduce((sum, size) => sum + size, 0);
}

/** SIGKILLs a process group and then any straggler of the tree that left the group. */
export function killTree(rootPid: number, knownPids: readonly number[]): void {
  for (const kill of [() => process.kill(-rootPid, 'SIGKILL'), ...knownPids.map((pid) => () => process.kill(pid, 'SIGKILL'))]) {
    try {
      kill();
    } catch {
      // Already gone.
    }
  }
}

/** Resolves once none of the pids is running any more (a zombie has stopped; only its reaping is left). */
export async function waitUntilGone(pids: readonly number[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const states = await Promise.all(pids.map((pid) => readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '')));
    // The state follows the parenthesised command name: "1234 (chromium) S ...".
    if (states.every((stat) => stat === '' || / Z /.test(stat.slice(stat.lastIndexOf(')'))))) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
