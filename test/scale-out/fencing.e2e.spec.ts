// Fencing with real processes (issue 18): worker A holds a portal's master session and two
// jobs on a shared PostgreSQL store. Job j1's submission is about to click; job j2's click is
// done and its SUBMITTED is on its way to the store. A is frozen with SIGSTOP past its lease
// TTL; worker B takes the master session and both jobs over (and, held at a gate, has not
// written to them yet, so only the fencing token can stop A's late write, not a version
// conflict). A is resumed with SIGCONT and its gates opened at once: it must click nothing and
// append nothing. Then B finishes both jobs: j1 is clicked once (by B), j2 is found (A's click).
// What each process did is read from files its fake effects and its store wrapper write
// (fenced-worker.ts) and from the log.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Client } from 'pg';
import { ActorHost, SystemClock, type EventStore } from '@engine/core';
import { ENGINE_MACHINES } from '@engine/machines';
import { PostgresEventStore } from '@engine/event-store';
import { startPostgresCluster, type PostgresCluster } from '@engine/event-store/testing';

jest.setTimeout(600_000);

const ROOT = resolve(__dirname, '..', '..');
// Long enough that B, once it holds the streams, keeps renewing them on a loaded machine: the
// test asserts A never writes again, which holds only while B's leases stay current (had B's
// lapsed, A could claim them back with a newer token and append legitimately).
const TTL_MS = 10_000;

interface Worker {
  id: string;
  process: ChildProcess;
  stderr: string[];
  exited: Promise<void>;
}

describe('a worker paused past its lease (SIGSTOP) and resumed', () => {
  let cluster: PostgresCluster;
  let url: string;
  let dir: string;
  let store: EventStore;
  let intake: ActorHost;
  const workers: Worker[] = [];

  function startWorker(id: string): Promise<Worker> {
    const child = spawn(process.execPath, ['-r', './scripts/ts-run.js', 'test/scale-out/fenced-worker.ts'], {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL: url, DIR: dir, WORKER_ID: id, LEASE_TTL_MS: String(TTL_MS), LEASE_HEARTBEAT_MS: '500' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const stderr: string[] = [];
    child.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk.toString()));
    const exited = new Promise<void>((done) => child.once('exit', () => done()));
    return new Promise((ready, fail) => {
      child.stdout?.on('data', (chunk: Buffer) => {
        if (chunk.toString().includes(`ready ${id}`)) {
          const worker = { id, process: child, stderr, exited };
          workers.push(worker);
          ready(worker);
        }
      });
      child.once('exit', (code) => fail(new Error(`worker ${id} exited with ${code} before it was ready:\n${stderr.join('')}`)));
    });
  }

  const lines = (file: string) => (existsSync(join(dir, file)) ? readFileSync(join(dir, file), 'utf8').split('\n').filter(Boolean) : []);
  const traces = () => lines('effects.log');
  const touch = (file: string) => writeFileSync(join(dir, file), '');

  async function until(what: string, probe: () => Promise<boolean> | boolean, timeoutMs = 180_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!(await probe())) {
      if (Date.now() > deadline) {
        const tails = workers.map((w) => `--- ${w.id}\n${w.stderr.join('').split('\n').slice(-20).join('\n')}`);
        throw new Error(`timed out waiting for ${what}\neffects.log:\n${traces().join('\n')}\n${tails.join('\n')}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  async function owners(): Promise<Record<string, string | null>> {
    const client = new Client({ connectionString: url });
    await client.connect();
    try {
      const rows = (await client.query(`SELECT stream, CASE WHEN expires_at > now() THEN owner END AS owner FROM stream_leases WHERE kind <> 'worker'`)).rows;
      return Object.fromEntries(rows.map((r) => [r.stream as string, r.owner as string | null]));
    } finally {
      await client.end();
    }
  }

  beforeAll(async () => {
    cluster = await startPostgresCluster();
    url = await cluster.createDatabase();
    dir = mkdtempSync(join(tmpdir(), 'engine-fencing-'));
    store = await PostgresEventStore.open(url, { poolSize: 2 });
    // Creates the jobs only: a host that owns no stream appends their first event and runs nothing.
    intake = new ActorHost({ store, clock: new SystemClock(), definitions: ENGINE_MACHINES, effects: {} });
    await intake.start({ owns: () => false, forward: async () => undefined });
  });

  afterAll(async () => {
    for (const w of workers) {
      try {
        process.kill(w.process.pid as number, 'SIGCONT');
        process.kill(w.process.pid as number, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
    await Promise.all(workers.map((w) => w.exited));
    await intake?.stop();
    await store?.close();
    await cluster?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('neither clicks nor appends once resumed, and the new holder finishes both jobs exactly once', async () => {
    touch('hold-appends-A'); // A's SUBMITTED appends stall between decision and write
    touch('gate-A-j2'); // j2 may click; j1 waits at its gate
    const a = await startWorker('A');
    for (const id of ['j1', 'j2']) {
      await intake.create('job', id, { jobId: id, portal: 'sim', payload: { id }, businessKey: `BK-${id}`, steps: ['applicant'], maxAttempts: 3 });
    }
    await until('A to click j2, hold its SUBMITTED, and start j1’s submission', () => {
      const t = traces();
      return t.includes('A click j2 REF-j2-A') && t.includes('A append-held job-j2') && t.includes('A submit-started j1');
    });
    expect(await owners()).toEqual({ 'master-sim': 'A', 'job-j1': 'A', 'job-j2': 'A' });

    process.kill(a.process.pid as number, 'SIGSTOP');
    const appendsBeforePause = lines('appends-A.log');

    await startWorker('B');
    await until('B to hold the master session and both jobs', async () => {
      const held = await owners();
      return held['master-sim'] === 'B' && held['job-j1'] === 'B' && held['job-j2'] === 'B';
    });
    await until('B to reach both interrupted submissions', () => traces().includes('B reconcile-waiting j1') && traces().includes('B reconcile-waiting j2'));
    const j2Version = await store.streamVersion('job-j2');

    // A wakes with its stalled write and its pending click released at once.
    touch('gate-A-j1');
    unlinkSync(join(dir, 'hold-appends-A'));
    process.kill(a.process.pid as number, 'SIGCONT');
    const lateWrite = () => lines('appends-A.log').slice(appendsBeforePause.length);
    await until('A to try both', () => traces().some((t) => t.startsWith('A submit-refused j1')) && lateWrite().some((line) => line.includes('job-j2')));
    expect(lateWrite()).toEqual(['refused job-j2 FENCED_OFF']);
    expect(await store.streamVersion('job-j2')).toBe(j2Version);

    touch('gate-B-j1');
    touch('gate-B-reconcile');
    await until('both jobs final', async () => (await store.heads('job-')).every((h) => (h.lastEvent.stateAfter as { status: string }).status === 'done'));

    // A: no append at all after the pause (its one attempt was refused by the store), no click.
    expect(lines('appends-A.log')).toEqual([...appendsBeforePause, 'refused job-j2 FENCED_OFF']);
    const t = traces();
    expect(t.filter((line) => line.startsWith('A click'))).toEqual(['A click j2 REF-j2-A']);
    expect(t.filter((line) => / click j1 /.test(line))).toEqual(['B click j1 REF-j1-B']);
    // The log: each job submitted once; j2 by reconciliation (A's click found), never by A's late SUBMITTED.
    const outcomes = async (stream: string) => (await store.read(stream)).filter((e) => e.type === 'SUBMITTED' || e.type === 'SUBMISSION_FOUND').map((e) => `${e.type} ${(e.data as { reference: string }).reference}`);
    expect(await outcomes('job-j1')).toEqual(['SUBMITTED REF-j1-B']);
    expect(await outcomes('job-j2')).toEqual(['SUBMISSION_FOUND REF-j2-A']);
    for (const stream of ['job-j1', 'job-j2']) expect(((await store.read(stream)).pop()?.stateAfter as { value: string }).value).toBe('submitted');
  });
});
