// The throwaway cluster that the PostgreSQL tests and benchmarks stand on: durable, loopback
// only, owned by a non-root user, and gone without a trace after stop() — or, when a test run
// was killed before it could stop, at the next run's start.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Client } from 'pg';
import { startPostgresCluster, type PostgresCluster } from './testing/postgres-cluster';

jest.setTimeout(120_000);

async function serverFacts(url: string) {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const row = (
      await client.query(
        `SELECT current_setting('data_directory') AS data, current_setting('fsync') AS fsync, current_setting('synchronous_commit') AS sync,
                current_setting('listen_addresses') AS listen, pg_backend_pid() AS backend`,
      )
    ).rows[0];
    const pid = Number(execFileSync('head', ['-1', join(row.data, 'postmaster.pid'), '--quiet'], { encoding: 'utf8' }).trim());
    return { ...row, postmaster: pid };
  } finally {
    await client.end();
  }
}

/** A stopped postmaster may linger as a zombie until init reaps it: that is not a running server. */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}
const postgresUid = () => Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());

describe('startPostgresCluster', () => {
  const started: PostgresCluster[] = [];
  afterAll(async () => {
    await Promise.all(started.map((c) => c.stop()));
  });

  it('runs a durable server on loopback as the postgres user, and stop() removes it and its folder', async () => {
    const cluster = await startPostgresCluster();
    started.push(cluster);
    const facts = await serverFacts(cluster.url);

    expect(new URL(cluster.url).hostname).toBe('127.0.0.1');
    expect(facts).toMatchObject({ fsync: 'on', sync: 'on', listen: '127.0.0.1' });
    expect(statSync(facts.data).uid).toBe(postgresUid());
    expect(alive(facts.postmaster)).toBe(true);
    const other = await cluster.createDatabase();
    expect(new URL(other).pathname).not.toBe(new URL(cluster.url).pathname);

    await cluster.stop();
    expect(alive(facts.postmaster)).toBe(false);
    expect(existsSync(dirname(facts.data))).toBe(false);
    await expect(serverFacts(cluster.url)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });

  it('cleans up after a run that died without stopping its cluster', async () => {
    const abandoned = await startPostgresCluster();
    started.push(abandoned);
    const facts = await serverFacts(abandoned.url);
    // Make it look like the cluster of a test process that was SIGKILLed: its owner no longer exists.
    const dead = spawnSync('true').pid!;
    writeFileSync(join(dirname(facts.data), 'owner.pid'), String(dead));

    const next = await startPostgresCluster();
    started.push(next);

    expect(alive(facts.postmaster)).toBe(false);
    expect(existsSync(dirname(facts.data))).toBe(false);
    expect((await serverFacts(next.url)).fsync).toBe('on');
  });
});
