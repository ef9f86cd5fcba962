// The CLI as operators run it, on a temporary SQLite store written through the real
// SqliteEventStore by the real host and job machine. The commands run in process through the
// CLI's own entry (cliMain, which maps errors to exit codes as the command does); the first test
// runs the real child process end to end (arguments, stdout, stderr, exit code).
import Database from 'better-sqlite3';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EffectRegistry } from '@engine/core';
import { createEngine } from '@engine/engine';
import { SqliteEventStore } from '@engine/event-store';
import { jobInput } from '@engine/machines/testing';
import { runCliInProcess, runCliProcess } from './testing/run-cli';

// One test starts the CLI process (TypeScript compiled on the fly, tens of seconds on a loaded machine).
jest.setTimeout(180_000);

let dir: string;
let file: string;

const cli = (...args: string[]) => runCliInProcess(args);
const cliWithEnv = (extra: Record<string, string>, ...args: string[]) => runCliInProcess(args, extra);

const at = () => new Date().toISOString();
const effects: EffectRegistry = {
  cloneSession: { run: async () => ({ type: 'CLONED', at: at() }) },
  validateSession: { run: async () => ({ type: 'SESSION_VALID', at: at() }) },
  fillStep: { run: async (p: { step: string }) => ({ type: 'STEP_FILLED', step: p.step, at: at() }) },
  submitForm: { run: async (p: { jobId: string }) => ({ type: 'SUBMITTED', reference: `REF-${p.jobId}`, at: at() }) },
  closeClone: { run: async () => undefined },
};

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'engine-cli-'));
  file = join(dir, 'events.db');
  const engine = createEngine({ store: new SqliteEventStore(file), effects });
  await engine.start();
  for (const id of ['a', 'b', 'c']) {
    await engine.host.create('job', id, { ...jobInput, jobId: id, businessKey: `BK-${id}`, steps: ['applicant', 'details'] });
    if (id !== 'c') await engine.host.send(`job-${id}`, { type: 'START' });
  }
  await engine.host.idle();
  await engine.stop();
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('engine CLI', () => {
  it('audit verify passes on a clean store, with progress on stderr and the verdict on stdout (the real process)', async () => {
    const run = await runCliProcess(['audit', 'verify', '--store', `sqlite:${file}`]);
    expect(run.stderr).toContain('replaying streams: 3/3 (100%)');
    expect(run.stdout).toContain('audit OK: 3 stream(s)');
    expect(run.code).toBe(0);
  });

  it('replay prints every step with its version, event and state, and stops at --to', async () => {
    const run = await cli('replay', 'job-a', '--store', file);
    expect(run.code).toBe(0);
    const steps = run.stdout.trim().split('\n').slice(1).map((line) => line.trim().split(/\s+/));
    expect(steps.map(([version]) => Number(version))).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(steps.map(([, type, state]) => `${type} ${state}`)).toEqual([
      'actor.started pending',
      'START cloning',
      'CLONED validating',
      'SESSION_VALID filling',
      'STEP_FILLED filling',
      'STEP_FILLED submitting',
      'SUBMITTED submitted',
    ]);
    const partial = await cli('replay', 'job-a', '--to', '3', '--store', file);
    expect(partial.stdout.trim().split('\n').slice(1).map((line) => line.trim().split(/\s+/)[2])).toEqual(['pending', 'cloning', 'validating']);
  });

  it('replay starts from the latest snapshot at or before --to, and from version 1 with --full', async () => {
    const copy = join(dir, 'snapshots.db');
    const source = new Database(file, { readonly: true });
    await source.backup(copy);
    source.close();
    const store = new SqliteEventStore(copy);
    const [fourth] = await store.read('job-a', 4, 4);
    await store.saveSnapshot({ stream: 'job-a', version: 4, hash: fourth.hash, machineId: 'job', machineVersion: String(fourth.meta.machineVersion), state: fourth.stateAfter, takenAt: '2026-01-01T00:00:00.000Z' });
    await store.close();

    const fromSnapshot = await cli('replay', 'job-a', '--store', copy);
    expect(fromSnapshot.code).toBe(0);
    const lines = fromSnapshot.stdout.trim().split('\n');
    expect(lines[0]).toContain('3 step(s) replayed from the snapshot at version 4');
    expect(lines.slice(1).map((line) => line.trim().split(/\s+/).slice(0, 3).join(' '))).toEqual(['5 STEP_FILLED filling', '6 STEP_FILLED submitting', '7 SUBMITTED submitted']);
    const before = await cli('replay', 'job-a', '--to', '3', '--store', copy);
    expect(before.stdout).toContain('3 step(s) replayed from version 1');
    const full = await cli('replay', 'job-a', '--full', '--store', copy);
    expect(full.stdout.trim().split('\n').slice(1).map((line) => Number(line.trim().split(/\s+/)[0]))).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });

  it('export prints the stream as JSON lines, exactly as stored', async () => {
    const run = await cli('export', 'job-b', '--format', 'jsonl', '--store', file);
    expect(run.code).toBe(0);
    const lines = run.stdout.trim().split('\n').map((l) => JSON.parse(l));
    const store = new SqliteEventStore(file);
    const stored = await store.read('job-b');
    await store.close();
    expect(lines).toEqual(stored.map(({ stream, version, position, type, data, stateAfter, meta, prevHash, hash }) => ({ stream, version, position, type, data, stateAfter, meta, prevHash, hash })));
    expect((await cli('export', 'job-b', '--format', 'csv', '--store', file)).code).toBe(2);
  });

  it('takes the store from DATABASE_URL when --store is not given', async () => {
    const run = await cliWithEnv({ DATABASE_URL: `sqlite:${file}` }, 'audit', 'verify');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('audit OK: 3 stream(s)');
  });

  it("finds the store as the server does: from the config file (ENGINE_CONFIG) or DATA_DIR, and refuses an invalid configuration", async () => {
    const config = join(dir, 'engine.yaml');
    writeFileSync(config, `store: { url: "sqlite:${file}" }\n`);
    const fromFile = await cliWithEnv({ ENGINE_CONFIG: config }, 'audit', 'verify');
    expect(fromFile.code).toBe(0);
    expect(fromFile.stdout).toContain('audit OK: 3 stream(s)');
    // DATA_DIR is the folder holding events.db, as for the server.
    const fromDataDir = await cliWithEnv({ DATA_DIR: dir }, 'audit', 'verify');
    expect(fromDataDir.code).toBe(0);
    expect(fromDataDir.stdout).toContain('audit OK: 3 stream(s)');
    writeFileSync(config, 'store: { url: "ftp://nowhere" }\n');
    const refused = await cliWithEnv({ ENGINE_CONFIG: config }, 'audit', 'verify');
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('store.url: must be sqlite:<path>, memory: or postgres://…');
  });

  it('refuses a missing store without creating it, and an unknown stream', async () => {
    const missing = join(dir, 'nope', 'events.db');
    const run = await cli('audit', 'verify', '--store', `sqlite:${missing}`);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`no event store at ${missing}`);
    expect(existsSync(missing)).toBe(false);
    const unknown = await cli('replay', 'job-zz', '--store', file);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('stream job-zz not found');
  });

  it('audit verify fails on a tampered store, naming the stream and version', async () => {
    const tampered = join(dir, 'tampered.db');
    const source = new Database(file, { readonly: true });
    await source.backup(tampered);
    source.close();
    const db = new Database(tampered);
    const row = db.prepare(`SELECT data FROM events WHERE stream = 'job-b' AND version = 5`).get() as { data: string };
    expect(JSON.parse(row.data)).toMatchObject({ step: 'applicant' });
    db.prepare(`UPDATE events SET data = ? WHERE stream = 'job-b' AND version = 5`).run(row.data.replace('applicant', 'details'));
    db.close();
    const run = await cli('audit', 'verify', '--store', `sqlite:${tampered}`);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/FAIL hash chain: stream job-b version 5\b/);
    expect(run.stdout).toContain('audit FAILED');
    expect(run.stderr).not.toMatch(/stream job-a|stream job-c/);
  });
});
