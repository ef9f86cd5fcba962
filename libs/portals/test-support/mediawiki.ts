// Test-only: a throwaway MediaWiki (Debian's package, on SQLite) served by PHP's built-in server
// on a free loopback port, the real third-party application the engine's tests log into (issue
// 15, item 5). scripts/setup-mediawiki.sh installs the packages and creates the wiki; this module
// serves it, reads the wiki's own database to check what was saved, and expires its sessions on
// the server side. stop() kills the server and removes every file it made.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { EngineError } from '@engine/core';

export interface MediaWiki {
  /** http://127.0.0.1:<port>, without a trailing slash; index.php and api.php live under it. */
  readonly baseUrl: string;
  /** An administrator of the wiki (no rate limits). */
  readonly username: string;
  /** Its password: never log it. */
  readonly password: string;
  /** How many revisions the page with this title has in the wiki's database (0: no such page). */
  countRevisions(title: string): number;
  /** The ids of the page's revisions, oldest first. */
  revisionIds(title: string): number[];
  pageExists(title: string): boolean;
  /** Deletes every session from the wiki's session store; returns how many there were. */
  expireAllSessions(): number;
  /** Stops the server and removes the temporary folder. Idempotent. */
  stop(): Promise<void>;
}

const DIR_PREFIX = 'engine-mediawiki-';
const OWNER_FILE = 'owner.pid';
const SERVER_PID_FILE = 'server.pid';
const SETUP_SCRIPT = resolve(__dirname, '../../../scripts/setup-mediawiki.sh');
const USERNAME = 'Engine';
// Hang bounds for a loaded 2-core machine, not speed expectations: apt-get may run first, and
// the first request builds the localisation cache.
const SETUP_TIMEOUT_MS = 600_000;
const READY_TIMEOUT_MS = 120_000;

export async function startMediaWiki(): Promise<MediaWiki> {
  sweepAbandonedWikis();
  const dir = mkdtempSync(join(tmpdir(), DIR_PREFIX));
  writeFileSync(join(dir, OWNER_FILE), String(process.pid));
  const password = randomBytes(18).toString('base64url');
  let server: PhpServer | undefined;
  const killServer = () => {
    const pid = server?.process.pid;
    if (server && pid !== undefined && isRunning(server.process)) killGroup(pid, 'SIGKILL');
  };
  const stopOnExit = () => {
    killServer();
    rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', stopOnExit);
  const stop = once(async () => {
    process.removeListener('exit', stopOnExit);
    if (server) await stopServer(server.process);
    rmSync(dir, { recursive: true, force: true });
  });
  try {
    let port = await freePort();
    await runSetup(dir, port, password);
    // A free port can be taken between probing and binding: then serve on another one.
    for (let attempt = 1; ; attempt++) {
      server = serve(dir, port);
      try {
        await waitUntilAnswering(`http://127.0.0.1:${port}`, server);
        break;
      } catch (error) {
        await stopServer(server.process);
        if (attempt === 3) throw error;
        port = await freePort();
        moveToPort(dir, port);
      }
    }
    const baseUrl = `http://127.0.0.1:${port}`;
    const wikiDb = join(dir, 'data', 'wiki.sqlite');
    const revisionIds = (title: string) => {
      const db = new Database(wikiDb, { readonly: true, timeout: 30_000 });
      try {
        const rows = db
          .prepare('SELECT rev_id AS id FROM revision JOIN page ON rev_page = page_id WHERE page_namespace = 0 AND page_title = ? ORDER BY rev_id')
          .all(dbKey(title)) as Array<{ id: number }>;
        return rows.map((row) => row.id);
      } finally {
        db.close();
      }
    };
    return {
      baseUrl,
      username: USERNAME,
      password,
      revisionIds,
      countRevisions: (title) => revisionIds(title).length,
      pageExists: (title) => {
        const db = new Database(wikiDb, { readonly: true, timeout: 30_000 });
        try {
          return db.prepare('SELECT 1 FROM page WHERE page_namespace = 0 AND page_title = ?').get(dbKey(title)) !== undefined;
        } finally {
          db.close();
        }
      },
      expireAllSessions: () => {
        // $wgSessionCacheType = CACHE_DB: sessions are rows of the object cache, which the SQLite
        // installer keeps in its own file. A browser still sending the cookie is anonymous on its
        // next request.
        const db = new Database(join(dir, 'data', 'wikicache.sqlite'), { timeout: 30_000 });
        try {
          return db.prepare("DELETE FROM objectcache WHERE keyname LIKE '%:MWSession:%'").run().changes;
        } finally {
          db.close();
        }
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** MediaWiki's database key for a main-namespace title: underscores, first letter capitalised. */
function dbKey(title: string): string {
  const key = title.trim().replace(/ /g, '_');
  return key.charAt(0).toUpperCase() + key.slice(1);
}

function runSetup(dir: string, port: number, password: string): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    execFile(
      'bash',
      [SETUP_SCRIPT, dir, String(port)],
      // The password travels in the environment, never in argv.
      { env: { ...process.env, MW_ADMIN_USER: USERNAME, MW_ADMIN_PASSWORD: password }, timeout: SETUP_TIMEOUT_MS, maxBuffer: 16 * 1024 * 1024 },
      (error, _stdout, stderr) => {
        if (error) reject(new EngineError('MEDIAWIKI_SETUP_FAILED', `setup-mediawiki.sh failed: ${stderr.slice(-2000)}`, { cause: error }));
        else resolvePromise();
      },
    );
  });
}

interface PhpServer {
  readonly process: ChildProcess;
  /** The end of what the server wrote on stderr, for error messages. */
  log(): string;
}

/** The server runs in its own process group: PHP's worker processes go down with it. */
function serve(dir: string, port: number): PhpServer {
  const child = spawn('bash', [SETUP_SCRIPT, '--serve', dir, String(port)], { detached: true, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  // PHP's built-in server logs every request on stderr: keep only the tail.
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr = (stderr + chunk).slice(-4000)));
  if (child.pid !== undefined) writeFileSync(join(dir, SERVER_PID_FILE), String(child.pid));
  return { process: child, log: () => stderr };
}

function isRunning(child: ChildProcess): boolean {
  return child.pid !== undefined && child.exitCode === null && child.signalCode === null;
}

/** Moves a wiki that could not bind its port to another one ($wgServer names the port). */
function moveToPort(dir: string, port: number): void {
  const file = join(dir, 'LocalSettings.php');
  const settings = readFileSync(file, 'utf8').replace(/^\$wgServer = "http:\/\/127\.0\.0\.1:\d+";$/m, `$wgServer = "http://127.0.0.1:${port}";`);
  writeFileSync(file, settings);
}

async function waitUntilAnswering(baseUrl: string, server: PhpServer): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  let lastError: unknown;
  // The login page is what every test opens first; asking for it also builds the wiki's caches.
  const probe = `${baseUrl}/index.php?title=Special:UserLogin`;
  while (Date.now() < deadline) {
    if (!isRunning(server.process)) {
      throw new EngineError('MEDIAWIKI_START_FAILED', `php -S exited (${server.process.exitCode ?? server.process.signalCode}): ${server.log()}`);
    }
    try {
      const response = await fetch(probe, { signal: AbortSignal.timeout(Math.max(1, deadline - Date.now())) });
      const body = await response.text();
      if (response.ok && body.includes('wpLoginAttempt')) return;
      lastError = new Error(`HTTP ${response.status}: ${body.slice(0, 500)}`);
    } catch (error) {
      lastError = error;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new EngineError('MEDIAWIKI_START_FAILED', `${probe} did not answer within ${READY_TIMEOUT_MS} ms: ${String(lastError)}\n${server.log()}`, { cause: lastError });
}

async function stopServer(server: ChildProcess): Promise<void> {
  const pid = server.pid;
  if (pid === undefined || !isRunning(server)) return;
  const exited = new Promise<void>((r) => server.once('exit', () => r()));
  killGroup(pid, 'SIGTERM');
  const timer = setTimeout(() => killGroup(pid, 'SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // Already gone.
  }
}

function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => (typeof address === 'object' && address ? resolvePort(address.port) : reject(new Error('no port'))));
    });
  });
}

/**
 * A test run that was SIGKILLed never reached stop(): its server may still run and its folder
 * remains. Such folders name an owner process that no longer exists; clean them up. A server is
 * only killed when its environment shows it serves that very folder (pids are reused).
 */
function sweepAbandonedWikis(): void {
  for (const name of readdirSync(tmpdir())) {
    if (!name.startsWith(DIR_PREFIX)) continue;
    const dir = join(tmpdir(), name);
    const owner = Number(readFileSafe(join(dir, OWNER_FILE)));
    if (!Number.isInteger(owner) || owner <= 0 || isAlive(owner)) continue;
    const serverPid = Number(readFileSafe(join(dir, SERVER_PID_FILE)));
    if (Number.isInteger(serverPid) && serverPid > 0 && readFileSafe(`/proc/${serverPid}/environ`).split('\0').includes(`MW_CONFIG_FILE=${dir}/LocalSettings.php`)) {
      killGroup(serverPid, 'SIGKILL');
    }
    if (existsSync(dir)) rmSync(dir, { recursive: true, force: true });
  }
}

function readFileSafe(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function once(fn: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | undefined;
  return () => (running ??= fn());
}
