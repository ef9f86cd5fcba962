// Test- and bench-only: a throwaway PostgreSQL cluster from Debian's server binaries, in a
// fresh temporary folder, listening on a free loopback port, durable (fsync on) like
// production. initdb refuses to run as root, so the cluster belongs to the `postgres` system
// user the Debian package creates. stop() shuts it down and removes every file it made.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { appendFileSync, chownSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { EngineError } from '@engine/core';

export interface PostgresCluster {
  /** Superuser URL of the database created at start (password included: never log it). */
  readonly url: string;
  /** Creates another empty database and returns its URL (a fresh store per test). */
  createDatabase(name?: string): Promise<string>;
  /** Stops the server and removes the temporary folder. Idempotent. */
  stop(): Promise<void>;
}

const DIR_PREFIX = 'engine-pg-';
const OWNER_FILE = 'owner.pid';
const SYSTEM_USER = 'postgres';

export async function startPostgresCluster(options: { database?: string } = {}): Promise<PostgresCluster> {
  sweepAbandonedClusters();
  const bin = serverBinaries();
  const { uid, gid } = systemUser();
  const dir = mkdtempSync(join(tmpdir(), DIR_PREFIX));
  writeFileSync(join(dir, OWNER_FILE), String(process.pid));
  const data = join(dir, 'data');
  const password = randomBytes(18).toString('base64url');
  const passwordFile = join(dir, 'pwfile');
  writeFileSync(passwordFile, `${password}\n`, { mode: 0o600 });
  chownSync(dir, uid, gid);
  chownSync(passwordFile, uid, gid);
  let started = false;
  const stop = once(async () => {
    if (started) pgCtl(bin, ['-D', data, '-m', 'fast', '-w', '-t', '30', 'stop'], { ignoreFailure: true });
    killLeftover(data);
    rmSync(dir, { recursive: true, force: true });
  });
  const stopOnExit = () => {
    if (started) pgCtl(bin, ['-D', data, '-m', 'immediate', '-w', 'stop'], { ignoreFailure: true });
    rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', stopOnExit);
  try {
    asSystemUser(join(bin, 'initdb'), ['-D', data, '-U', 'postgres', `--pwfile=${passwordFile}`, '--auth-local=trust', '--auth-host=scram-sha-256', '-E', 'UTF8', '--locale=C', '--no-instructions']);
    const port = await startOnFreePort(bin, dir, data, () => (started = true));
    const base = `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}`;
    const createDatabase = async (name = `test_${randomBytes(6).toString('hex')}`) => {
      if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new EngineError('INVALID_DATABASE_NAME', `database name ${JSON.stringify(name)} is not a plain identifier`);
      const admin = new Client({ connectionString: `${base}/postgres` });
      await admin.connect();
      try {
        await admin.query(`CREATE DATABASE ${name}`);
      } finally {
        await admin.end();
      }
      return `${base}/${name}`;
    };
    const url = await createDatabase(options.database);
    return {
      url,
      createDatabase,
      stop: async () => {
        process.removeListener('exit', stopOnExit);
        await stop();
      },
    };
  } catch (error) {
    process.removeListener('exit', stopOnExit);
    await stop();
    throw error;
  }
}

/** Debian's newest installed server binaries; installs the `postgresql` package when there are none. */
function serverBinaries(): string {
  const find = () => {
    const root = '/usr/lib/postgresql';
    if (!existsSync(root)) return undefined;
    const versions = readdirSync(root)
      .filter((v) => existsSync(join(root, v, 'bin', 'initdb')) && existsSync(join(root, v, 'bin', 'pg_ctl')))
      .sort((a, b) => Number(b) - Number(a));
    return versions.length > 0 ? join(root, versions[0], 'bin') : undefined;
  };
  const found = find();
  if (found) return found;
  // Tests install what they need instead of skipping (CONVENTIONS.md).
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'ignore', env });
  execFileSync('apt-get', ['install', '-y', '-qq', 'postgresql'], { stdio: 'ignore', env });
  const installed = find();
  if (!installed) throw new EngineError('POSTGRES_MISSING', 'apt-get install postgresql did not provide /usr/lib/postgresql/*/bin/initdb');
  return installed;
}

function systemUser(): { uid: number; gid: number } {
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${SYSTEM_USER}:`));
  if (!line) throw new EngineError('POSTGRES_USER_MISSING', `system user ${SYSTEM_USER} not found (the Debian postgresql package creates it)`);
  const [, , uid, gid] = line.split(':');
  return { uid: Number(uid), gid: Number(gid) };
}

/** A free port can be taken between probing and binding, so a failed start retries on another. */
async function startOnFreePort(bin: string, dir: string, data: string, onStarted: () => void): Promise<number> {
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    appendFileSync(
      join(data, 'postgresql.conf'),
      [
        '',
        "listen_addresses = '127.0.0.1'",
        `port = ${port}`,
        `unix_socket_directories = '${dir}'`,
        // Durable like production: the benchmarks measure what an acknowledged append costs.
        'fsync = on',
        'synchronous_commit = on',
        'full_page_writes = on',
        'max_connections = 200',
        '',
      ].join('\n'),
    );
    try {
      pgCtl(bin, ['-D', data, '-l', join(dir, 'server.log'), '-w', '-t', '60', 'start']);
      onStarted();
      return port;
    } catch (error) {
      lastError = error;
    }
  }
  const log = existsSync(join(dir, 'server.log')) ? readFileSync(join(dir, 'server.log'), 'utf8').slice(-2000) : '';
  throw new EngineError('POSTGRES_START_FAILED', `pg_ctl start failed: ${String(lastError)}\n${log}`, { cause: lastError });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

function pgCtl(bin: string, args: string[], options: { ignoreFailure?: boolean } = {}): void {
  try {
    asSystemUser(join(bin, 'pg_ctl'), args);
  } catch (error) {
    if (!options.ignoreFailure) throw error;
  }
}

function asSystemUser(command: string, args: string[]): void {
  execFileSync('runuser', ['-u', SYSTEM_USER, '--', command, ...args], { stdio: ['ignore', 'pipe', 'pipe'], cwd: '/' });
}

/**
 * After a failed stop, the postmaster (first line of postmaster.pid) must still not outlive us.
 * A stale pid file may name a process that has since been reused, so only a postmaster started
 * on this very data folder is killed.
 */
function killLeftover(data: string): void {
  const pidFile = join(data, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  if (Number.isInteger(pid) && pid > 0 && readFileSafe(`/proc/${pid}/cmdline`).split('\0').includes(data)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
}

/**
 * A test run that was SIGKILLed never reached stop(): its cluster may still run and its folder
 * remains. Such folders name an owner process that no longer exists; clean them up.
 */
function sweepAbandonedClusters(): void {
  for (const name of readdirSync(tmpdir())) {
    if (!name.startsWith(DIR_PREFIX)) continue;
    const dir = join(tmpdir(), name);
    // Only a folder this module made (it names its owner) is ours to remove: a folder without
    // the owner file may be another test's, or one being created right now.
    const ownerText = readFileSafe(join(dir, OWNER_FILE));
    if (ownerText === '') continue;
    const owner = Number(ownerText);
    if (Number.isInteger(owner) && owner > 0 && isAlive(owner)) continue;
    killLeftover(join(dir, 'data'));
    rmSync(dir, { recursive: true, force: true });
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
