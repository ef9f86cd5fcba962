// The job index projection on a real SQLite store and index file, with real job machines in an
// actor host: a commit is searchable as soon as its command answered; a restart catches up from
// the position the index recorded (only jobs that moved since are written); an index that is
// missing, of another version or ahead of the log is rebuilt from every job's head.
import { ActorHost, SimulatedClock } from '@engine/core';
import { SqliteEventStore } from '@engine/event-store';
import { tamper, tempStoreFile } from '@engine/event-store/testing';
import { JOB_MACHINE } from '@engine/machines';
import { jobInput } from '@engine/machines/testing';
import { JobIndexProjection } from './job-index-projection';
import { SqliteJobIndex } from './sqlite-job-index';

const clock = () => new SimulatedClock(Date.parse('2026-03-01T08:00:00.000Z'));

/** A host, and optionally the projection, on the store file; `close` stops both. */
async function open(file: string, withIndex = true) {
  const store = new SqliteEventStore(file);
  const host = new ActorHost({ store, clock: clock(), definitions: [JOB_MACHINE] });
  const index = withIndex ? new SqliteJobIndex(file) : undefined;
  const projection = index && new JobIndexProjection({ feed: host.feed, index });
  await host.start();
  const caughtUp = await projection?.start();
  const createJob = (jobId: string, createdAt: string, portal = 'sim') => host.create(JOB_MACHINE, jobId, { ...jobInput, jobId, portal, businessKey: `BK-${jobId}`, createdAt });
  const cancel = (jobId: string) => host.sendTo(JOB_MACHINE, jobId, { type: 'CANCEL', reason: 'test', at: '2026-03-02T10:00:00.000Z' });
  return {
    host,
    projection,
    caughtUp,
    createJob,
    cancel,
    async close() {
      await host.stop();
      await projection?.stop();
      await index?.close();
      await store.close();
    },
  };
}

const ids = (rows: Array<{ jobId: string }>) => rows.map((r) => r.jobId);

describe('JobIndexProjection over SQLite', () => {
  let temp: ReturnType<typeof tempStoreFile>;
  beforeEach(() => (temp = tempStoreFile()));
  afterEach(() => temp.remove());

  it('finds a job as soon as the command that committed it answered, in its new state after each command', async () => {
    const engine = await open(temp.file);
    expect(engine.caughtUp).toEqual({ rebuilt: true, jobs: 0, from: null });
    await engine.createJob('j1', '2026-03-01T08:00:00.000Z');
    expect(ids(await engine.projection!.search({ states: ['pending'], limit: 10 }))).toEqual(['j1']);
    await engine.cancel('j1');
    expect(ids(await engine.projection!.search({ states: ['pending'], limit: 10 }))).toEqual([]);
    expect(await engine.projection!.search({ businessKey: 'BK-j1', limit: 10 })).toEqual([
      expect.objectContaining({ jobId: 'j1', state: 'cancelled', finishedAt: '2026-03-01T08:00:00.000Z', createdAt: '2026-03-01T08:00:00.000Z', version: 2 }),
    ]);
    await engine.close();
  });

  it('catches up at start from the position it recorded: only jobs that moved while it was away are written', async () => {
    const first = await open(temp.file);
    for (const [i, id] of ['a', 'b', 'c'].entries()) await first.createJob(id, `2026-03-01T0${i}:00:00.000Z`);
    await first.close();
    // Another writer (a tool, a process without the index) moves the log on.
    const away = await open(temp.file, false);
    await away.createJob('d', '2026-03-01T03:00:00.000Z');
    await away.createJob('e', '2026-03-01T04:00:00.000Z', 'other');
    await away.cancel('b');
    await away.close();

    const again = await open(temp.file);
    // The position recorded is the feed's caughtUpTo (the store subscription's, which may trail
    // the host's own writes): the jobs written are exactly those whose head lies beyond it, the
    // three that moved while the index was away among them.
    const from = again.caughtUp!.from!;
    const beyond = [...again.host.feed.all('job-')].filter((h) => h.position > from).map((h) => h.stream.slice('job-'.length));
    expect(beyond).toEqual(expect.arrayContaining(['b', 'd', 'e']));
    expect(from).toBeGreaterThan(0);
    expect(beyond).not.toContain('a');
    expect(again.caughtUp).toEqual({ rebuilt: false, jobs: beyond.length, from });
    expect(ids(await again.projection!.search({ limit: 10 }))).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(ids(await again.projection!.search({ states: ['cancelled'], limit: 10 }))).toEqual(['b']);
    expect(ids(await again.projection!.search({ portal: 'other', limit: 10 }))).toEqual(['e']);
    expect(await again.projection!.position()).toBe(again.host.feed.caughtUpTo());
    await again.close();
  });

  it('rebuilds from every job head when its tables are gone, or when it claims a position beyond the log', async () => {
    const first = await open(temp.file);
    for (const id of ['a', 'b']) await first.createJob(id, '2026-03-01T00:00:00.000Z');
    await first.cancel('a');
    await first.close();

    tamper(temp.file, 'DROP TABLE job_index');
    tamper(temp.file, 'DROP TABLE job_index_meta');
    const dropped = await open(temp.file);
    expect(dropped.caughtUp).toEqual({ rebuilt: true, jobs: 2, from: null });
    expect(ids(await dropped.projection!.search({ states: ['cancelled'], limit: 10 }))).toEqual(['a']);
    await dropped.close();

    tamper(temp.file, 'UPDATE job_index_meta SET position = 1000000');
    tamper(temp.file, "UPDATE job_index SET state = 'submitted'");
    const ahead = await open(temp.file);
    expect(ahead.caughtUp).toEqual({ rebuilt: true, jobs: 2, from: 1000000 });
    expect(ids(await ahead.projection!.search({ states: ['submitted'], limit: 10 }))).toEqual([]);
    expect(ids(await ahead.projection!.search({ states: ['pending'], limit: 10 }))).toEqual(['b']);
    await ahead.close();
  });
});
