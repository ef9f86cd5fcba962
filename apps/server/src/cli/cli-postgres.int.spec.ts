// The CLI on a PostgreSQL store, as an operator of several workers runs it: `audit verify`,
// `replay`, `export` and `archive` read and write the shared database named by --store or
// DATABASE_URL; a database without the event-store tables is refused and left without them;
// the password is never printed.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { SimulatedClock } from '@engine/core';
import { createEngine } from '@engine/engine';
import { PostgresEventStore } from '@engine/event-store';
import { startPostgresCluster, type PostgresCluster } from '@engine/event-store/testing';
import { jobInput } from '@engine/machines/testing';
import { runCliInProcess } from './testing/run-cli';
import { instantJobEffects } from './testing/instant-job-effects';

jest.setTimeout(180_000);

const DAY = 86_400_000;


async function tables(url: string): Promise<string[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ name: string }>(`SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1`);
    return rows.map((r) => r.name);
  } finally {
    await client.end();
  }
}

describe('the engine CLI on a PostgreSQL store', () => {
  let cluster: PostgresCluster;
  let url: string;
  let dir: string;

  beforeAll(async () => {
    cluster = await startPostgresCluster();
    url = await cluster.createDatabase('cli_store');
    dir = mkdtempSync(join(tmpdir(), 'engine-cli-pg-'));
    const clock = new SimulatedClock(Date.now() - 2 * DAY);
    const engine = createEngine({ store: await PostgresEventStore.open(url), effects: instantJobEffects(clock), clock, dataDir: dir });
    await engine.start();
    for (const id of ['a', 'b']) await engine.host.create('job', id, { ...jobInput, jobId: id, businessKey: `BK-${id}`, steps: ['applicant'] });
    await engine.host.send('job-a', { type: 'START' });
    await engine.host.idle();
    await engine.stop();
  });

  afterAll(async () => {
    await cluster?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const password = () => new URL(url).password;

  it('verifies, replays and exports from the database named by --store or DATABASE_URL, never printing the password', async () => {
    const audit = await runCliInProcess(['audit', 'verify', '--store', url]);
    expect(audit.stderr).not.toContain('FAIL');
    expect(audit.code).toBe(0);
    expect(audit.stdout).toMatch(/audit OK: \d+ stream\(s\)/);

    const replay = await runCliInProcess(['replay', 'job-a'], { DATABASE_URL: url });
    expect(replay.code).toBe(0);
    expect(replay.stdout).toContain('submitted');

    const exported = await runCliInProcess(['export', 'job-a', '--format', 'jsonl', '--store', url]);
    expect(exported.code).toBe(0);
    const lines = exported.stdout.trim().split('\n').map((l) => JSON.parse(l) as { stream: string; version: number });
    expect(lines.map((l) => l.version)).toEqual(lines.map((_, i) => i + 1));
    expect(lines.every((l) => l.stream === 'job-a')).toBe(true);

    for (const run of [audit, replay, exported]) expect(run.stdout + run.stderr).not.toContain(password());
  });

  it('archives on PostgreSQL only into a folder it is told, and audit verify then checks the segment', async () => {
    const refused = await runCliInProcess(['archive', '--older-than', '1d', '--store', url]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('archiving a PostgreSQL store needs --archive-dir (or DATA_DIR)');

    const archiveDir = join(dir, 'shared-archive');
    const run = await runCliInProcess(['archive', '--older-than', '1d', '--archive-dir', archiveDir, '--store', url]);
    expect(run.stderr).toBe('');
    expect(run.stdout).toContain('archive OK: 1 finished job stream(s) archived');
    expect(readdirSync(archiveDir)).toHaveLength(1);

    const audit = await runCliInProcess(['audit', 'verify', '--archive-dir', archiveDir, '--store', url]);
    expect(audit.code).toBe(0);
    expect(audit.stdout).toContain('archive: 1 segment(s), 1 stream(s)');
  });

  it('refuses a database without the event-store tables and creates none there', async () => {
    const empty = await cluster.createDatabase('not_a_store');
    const run = await runCliInProcess(['audit', 'verify', '--store', empty]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('no event store at postgres://');
    expect(run.stderr).toContain('nothing was created');
    expect(run.stderr).not.toContain(new URL(empty).password);
    expect(await tables(empty)).toEqual([]);
  });
});
