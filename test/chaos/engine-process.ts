// The engine server as a child process the chaos run can SIGKILL and start again on the same
// data folder and SQLite store, plus the few things a supervisor sees from outside: its
// Chromium processes (children of its pid, read from /proc) and its HTTP API.
// It runs from source through scripts/ts-run.js: no build step, never a stale dist/, and a
// build elsewhere (nest's deleteOutDir) cannot pull the files from under a running child.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, readdirSync, readFileSync, type WriteStream } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');

export interface EngineProcessOptions {
  /** Environment of the server (PORTALS, DATA_DIR, API_TOKEN, ...). PORT is chosen per start. */
  env: Record<string, string>;
  /** The server's stdout and stderr are appended here (pino lines): the first place to look after a failure. */
  logFile: string;
  startTimeoutMs?: number;
}

export class EngineProcess {
  private child: ChildProcess | undefined;
  private url: string | undefined;
  private readonly log: WriteStream;
  /** Starts so far, the first included. */
  starts = 0;

  constructor(private readonly options: EngineProcessOptions) {
    this.log = createWriteStream(options.logFile, { flags: 'a' });
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get baseUrl(): string {
    if (!this.url) throw new Error('the engine is not running');
    return this.url;
  }

  get running(): boolean {
    return !!this.child && this.child.exitCode === null && this.child.signalCode === null;
  }

  async start(): Promise<string> {
    if (this.running) throw new Error('the engine is already running');
    this.starts += 1;
    this.log.write(`\n--- start ${this.starts} at ${new Date().toISOString()} ---\n`);
    const child = spawn(process.execPath, ['-r', join(ROOT, 'scripts/ts-run.js'), join(ROOT, 'apps/server/src/main.ts')], {
      cwd: ROOT,
      env: { ...process.env, ...this.options.env, PORT: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    this.url = undefined;
    // A test runner that is interrupted runs no afterAll: the child must not outlive it.
    const reap = () => child.kill('SIGKILL');
    process.once('exit', reap);
    child.once('exit', () => process.off('exit', reap));
    child.stderr?.pipe(this.log, { end: false });
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      const timer = setTimeout(() => reject(new Error(`the engine did not listen within ${this.options.startTimeoutMs ?? 300_000} ms`)), this.options.startTimeoutMs ?? 300_000);
      child.stdout?.on('data', (chunk: Buffer) => {
        this.log.write(chunk);
        out += chunk.toString();
        const match = /listening on (http:\/\/\S+)/.exec(out);
        if (match) {
          clearTimeout(timer);
          resolve(match[1]);
        }
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`the engine exited during start (code ${code}, signal ${signal})`));
      });
    });
    this.url = url;
    return url;
  }

  /** The crash: SIGKILL, no shutdown hook runs. Resolves once the process is reaped. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child || !this.running) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }

  /** The polite stop (SIGTERM, graceful shutdown), SIGKILL after `timeoutMs`. */
  async stop(timeoutMs = 20_000): Promise<void> {
    const child = this.child;
    if (!child || !this.running) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    await exited;
    clearTimeout(timer);
  }

  async close(): Promise<void> {
    await this.stop();
    await new Promise((resolve) => this.log.end(resolve));
  }

  /** Chromium browser processes the engine launched: its direct children that run chromium. */
  async chromiumChildren(): Promise<number[]> {
    return this.pid === undefined ? [] : chromiumChildrenOf(this.pid);
  }

  /** One API call with the bearer token; throws on a network error or a status >= 400. */
  async api<T>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<T> {
    const response = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${this.options.env.API_TOKEN}`, 'content-type': 'application/json', ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(60_000),
    });
    const text = await response.text();
    if (response.status >= 400) throw new Error(`${method} ${path}: HTTP ${response.status} ${text.slice(0, 300)}`);
    return (text ? JSON.parse(text) : null) as T;
  }
}

export async function chromiumChildrenOf(pid: number): Promise<number[]> {
  const children: number[] = [];
  for (const task of await readdir(`/proc/${pid}/task`).catch(() => [] as string[])) {
    const text = await readFile(`/proc/${pid}/task/${task}/children`, 'utf8').catch(() => '');
    for (const child of text.split(/\s+/)) if (child) children.push(Number(child));
  }
  const chromium: number[] = [];
  for (const child of children) {
    const cmdline = await readFile(`/proc/${child}/cmdline`, 'utf8').catch(() => '');
    if (/chrom/i.test(cmdline.split('\0')[0] ?? '')) chromium.push(child);
  }
  return chromium;
}

/** Pids of live processes whose command line mentions `needle` (our data folder: its Chromium profiles live there). */
export function processesMentioning(needle: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (cmdline.includes(needle) && !/\) Z /.test(stat)) pids.push(Number(entry));
    } catch {
      // The process exited while we looked.
    }
  }
  return pids;
}
