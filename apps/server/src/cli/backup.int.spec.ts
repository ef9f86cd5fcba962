// `engine backup` and `engine restore` as an operator runs them, against a SQLite store that
// another process keeps appending to (the real actor host running job machines), as a live
// server would: the backup is the log as of one commit, and restoring it into a fresh folder
// gives a store that passes `audit verify` and equals the source up to the backup point.
import Database from 'better-sqlite3';
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCliInProcess } from './testing/run-cli';

// The writer process compiles TypeScript on the fly: generous on a loaded machine. The CLI
// commands run in process (cli.int.spec.ts runs the real process).
jest.setTimeout(300_000);

const ROOT = join(__dirname, '..', '..', '..', '..');

const cli = (...args: string[]) => runCliInProcess(args);

type Row = Record<string, unknown>;

/** Every event row in position order, read through a read-only connection. */
function rows(file: string, upTo = Number.MAX_SAFE_INTEGER): Row[] {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    return db.prepare('SELECT position, stream, version, type, data, state_after, meta, prev_hash, hash FROM events WHERE position <= ? ORDER BY position').all(upTo) as Row[];
  } finally {
    db.close();
  }
}

function lastPosition(file: string): number {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    return (db.prepare('SELECT coalesce(max(position), 0) AS p FROM events').get() as { p: number }).p;
  } finally {
    db.close();
  }
}

async function until(what: string, probe: () => boolean, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

describe('engine backup / restore (SQLite)', () => {
  let dir: string;
  let source: string;
  let writer: ChildProcess | undefined;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'engine-backup-'));
    mkdirSync(join(dir, 'live'));
    source = join(dir, 'live', 'events.db');
  });

  afterAll(() => {
    writer?.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('backs up while a writer appends, and the restored copy passes audit verify and equals the source up to the backup point', async () => {
    writer = spawn(process.execPath, ['-r', './scripts/ts-run.js', 'apps/server/src/cli/testing/appending-writer.ts', source], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    const stderr: string[] = [];
    writer.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk.toString()));
    const exited = new Promise<number | null>((resolve) => writer?.once('exit', (code) => resolve(code)));
    await new Promise<void>((resolve, reject) => {
      writer?.stdout?.on('data', (chunk: Buffer) => chunk.toString().includes('ready') && resolve());
      writer?.once('exit', (code) => reject(new Error(`writer exited with ${code}: ${stderr.join('')}`)));
    });
    await until('the writer to have appended 3000 events', () => lastPosition(source) >= 3_000);

    const before = lastPosition(source);
    const backupFile = join(dir, 'backup.db');
    const backup = await cli('backup', backupFile, '--store', `sqlite:${source}`);
    expect(backup.stderr).toBe('');
    expect(backup.code).toBe(0);
    const reported = /backup OK: .* (\d+) event\(s\) in (\d+) stream\(s\) up to position (\d+)/.exec(backup.stdout);
    expect(reported).not.toBeNull();
    const [events, point] = [Number(reported?.[1]), Number(reported?.[3])];

    // The writer carried on past the backup point, then stops cleanly.
    await until('the writer to append past the backup point', () => lastPosition(source) > point + 100);
    writer.kill('SIGTERM');
    expect(await exited).toBe(0);
    writer = undefined;

    const copy = rows(backupFile);
    expect(copy).toHaveLength(events);
    expect(point).toBeGreaterThanOrEqual(before);
    expect(copy[copy.length - 1].position).toBe(point);
    // As of one commit: exactly the source's first `point` positions, nothing torn, nothing missing.
    expect(copy).toEqual(rows(source, point));
    expect(lastPosition(source)).toBeGreaterThan(point);

    const fresh = join(dir, 'fresh');
    const restore = await cli('restore', backupFile, '--data-dir', fresh);
    expect(restore.stderr).toBe('');
    expect(restore.code).toBe(0);
    expect(restore.stdout).toContain(`restore OK: ${join(fresh, 'events.db')}: ${events} event(s)`);
    const restored = join(fresh, 'events.db');
    expect(rows(restored)).toEqual(rows(source, point));

    const audit = await cli('audit', 'verify', '--store', `sqlite:${restored}`);
    expect(audit.code).toBe(0);
    expect(audit.stdout).toMatch(new RegExp(`audit OK: \\d+ stream\\(s\\), ${events} event\\(s\\), 0 chain problem\\(s\\), 0 replay problem\\(s\\)`));
  });

  it('refuses to restore over a store that holds events unless --force, and to overwrite a backup file', async () => {
    const backupFile = join(dir, 'backup.db');
    const restored = join(dir, 'fresh', 'events.db');
    const fingerprint = sha256(restored);

    const refused = await cli('restore', backupFile, '--store', `sqlite:${source}`);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/holds \d+ event\(s\); restore into a fresh location, or pass --force/);
    expect(lastPosition(source)).toBeGreaterThan(lastPosition(backupFile));

    const again = await cli('backup', backupFile, '--store', `sqlite:${restored}`);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('exists; choose another file or pass --force');
    expect(sha256(restored)).toBe(fingerprint);

    const forced = await cli('restore', backupFile, '--store', `sqlite:${source}`, '--force');
    expect(forced.code).toBe(0);
    expect(forced.stdout).toContain('the previous store was replaced');
    expect(rows(source)).toEqual(rows(backupFile));
  });

  it('points a PostgreSQL store to pg_dump / pg_restore, without the password', async () => {
    const url = 'postgres://engine:s3cr3t-pw@127.0.0.1:1/engine';
    const backup = await cli('backup', join(dir, 'pg.dump'), '--store', url);
    expect(backup.code).toBe(2);
    expect(backup.stderr).toContain('pg_dump --format=custom');
    const restore = await cli('restore', join(dir, 'pg.dump'), '--store', url);
    expect(restore.code).toBe(2);
    expect(restore.stderr).toContain('pg_restore');
    expect(backup.stderr + restore.stderr).not.toContain('s3cr3t-pw');
  });
});
