// Archiving finished job streams on a SQLite store, as an operator runs it: `engine archive
// --older-than 1d` (after a --dry-run) moves the old finished jobs into a segment anchored in the
// `archive` stream and removes them — and nothing else — from the store; `audit verify` checks
// their chains from the segment (and fails when the segment is altered); a restarted engine
// still shows an archived job, and a resubmission with its key is not a new job.
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { InvalidCommandError, NotFoundError, SimulatedClock, type RecordedEvent } from '@engine/core';
import { createEngine, SqliteJobIndex } from '@engine/engine';
import { SqliteEventStore, StreamArchive, ARCHIVE_STREAM } from '@engine/event-store';
import { JOB_MACHINE } from '@engine/machines';
import { jobInput } from '@engine/machines/testing';
import { JobIntake } from '@engine/engine';
import { z } from 'zod';
import { runCliInProcess } from './testing/run-cli';
import { instantJobEffects } from './testing/instant-job-effects';

// The CLI commands run in process (cli.int.spec.ts runs the real process).
jest.setTimeout(240_000);

const DAY = 86_400_000;

const cli = (...args: string[]) => runCliInProcess(args);


describe('engine archive on a SQLite store', () => {
  let dir: string;
  let file: string;
  let archiveDir: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'engine-archive-'));
    file = join(dir, 'events.db');
    archiveDir = join(dir, 'archive');
    // Old finished jobs a (submitted) and b (cancelled), an old job c still pending, and d finished an hour ago.
    const clock = new SimulatedClock(Date.now() - 3 * DAY);
    // The job index is kept in the store's file, as the server keeps it: its rows outlive a restart.
    const store = new SqliteEventStore(file);
    const engine = createEngine({ store, jobIndex: new SqliteJobIndex(file), effects: instantJobEffects(clock), clock, dataDir: dir });
    await engine.start();
    const create = (id: string) => engine.host.create('job', id, { ...jobInput, jobId: id, businessKey: `BK-${id}`, steps: ['applicant'] });
    await create('a');
    await engine.host.send('job-a', { type: 'START' });
    await create('b');
    await engine.host.send('job-b', { type: 'CANCEL', reason: 'operator', at: new Date(clock.now()).toISOString(), by: 'operator' });
    await create('c');
    await engine.host.idle();
    await clock.advance(3 * DAY - 3_600_000);
    await create('d');
    await engine.host.send('job-d', { type: 'START' });
    await engine.host.idle();
    await engine.stop();
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const readAll = async (): Promise<RecordedEvent[]> => {
    const store = new SqliteEventStore(file);
    try {
      return await store.readAll();
    } finally {
      await store.close();
    }
  };

  it('archives the old finished jobs only, verifies them from the segment, and still shows them', async () => {
    const before = await readAll();
    const states = Object.fromEntries(['a', 'b', 'c', 'd'].map((id) => [id, (before.filter((e) => e.stream === `job-${id}`).at(-1)!.stateAfter as { value: string }).value]));
    expect(states).toEqual({ a: 'submitted', b: 'cancelled', c: 'pending', d: 'submitted' });

    const dry = await cli('archive', '--older-than', '1d', '--dry-run', '--store', file);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain('would archive job-a (submitted');
    expect(dry.stdout).toContain('would archive job-b (cancelled');
    expect(dry.stdout).toContain('dry run: 2 finished job stream(s) would be archived');
    expect(await readAll()).toEqual(before);

    const run = await cli('archive', '--older-than', '1d', '--store', file);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('archive OK: 2 finished job stream(s) archived');

    // Nothing else was removed or changed: every other event is still there, as it was.
    const after = await readAll();
    const kept = before.filter((e) => e.stream !== 'job-a' && e.stream !== 'job-b');
    expect(after.filter((e) => e.stream !== ARCHIVE_STREAM)).toEqual(kept);
    const [anchor] = after.filter((e) => e.stream === ARCHIVE_STREAM);
    expect(after.filter((e) => e.stream === ARCHIVE_STREAM)).toHaveLength(1);

    // The segment is gzip JSON Lines with exactly the two streams' events, and its sha256 is anchored.
    const segments = readdirSync(archiveDir);
    expect(segments).toHaveLength(1);
    const bytes = readFileSync(join(archiveDir, segments[0]));
    expect(anchor.data).toMatchObject({ segment: segments[0], sha256: createHash('sha256').update(bytes).digest('hex'), events: before.length - kept.length });
    const lines = gunzipSync(bytes).toString('utf8').trim().split('\n').map((l) => JSON.parse(l) as RecordedEvent);
    const byStreamVersion = (x: RecordedEvent, y: RecordedEvent) => x.stream.localeCompare(y.stream) || x.version - y.version;
    expect(lines.sort(byStreamVersion)).toEqual(before.filter((e) => e.stream === 'job-a' || e.stream === 'job-b').sort(byStreamVersion));

    const audit = await cli('audit', 'verify', '--store', file);
    expect(audit.code).toBe(0);
    expect(audit.stdout).toContain('audit OK');
    expect(audit.stdout).toContain('archive: 1 segment(s), 2 stream(s)');

    // A restarted engine shows the archived job from its segment, the others from the store.
    const clock = new SimulatedClock();
    const engine = createEngine({ store: new SqliteEventStore(file), effects: instantJobEffects(clock), clock, dataDir: dir });
    await engine.start();
    try {
      expect(engine.feed.get('job-a')).toBeUndefined();
      expect(await engine.jobs.show('a')).toMatchObject({ jobId: 'a', state: 'submitted', final: true });
      expect(await engine.jobs.show('b')).toMatchObject({ jobId: 'b', state: 'cancelled' });
      expect(await engine.jobs.show('c')).toMatchObject({ jobId: 'c', state: 'pending' });
      await expect(engine.jobs.show('zz')).rejects.toBeInstanceOf(NotFoundError);
      // The audit facade (and the inspector's stream view and time travel through it) reads it from the segment too.
      expect(await engine.audit.read('job-a')).toEqual(before.filter((e) => e.stream === 'job-a'));
      expect((await engine.audit.stateAt('job-a', 2)).state.value).toBe('cloning');
      await expect(engine.audit.read('job-zz')).rejects.toBeInstanceOf(NotFoundError);
      // Listed and searched too: this engine's index (in memory) was rebuilt at start, the archived jobs from their segment.
      const listed = await engine.jobs.list({ limit: 10 });
      expect(listed.jobs.map((j) => [j.jobId, j.state])).toEqual([['a', 'submitted'], ['b', 'cancelled'], ['c', 'pending'], ['d', 'submitted']]);
      expect((await engine.jobs.list({ limit: 10, states: ['cancelled'] })).jobs.map((j) => j.jobId)).toEqual(['b']);
    } finally {
      await engine.stop();
    }

    // An engine whose index was kept (rows written before the archive) lists them from the segment as well.
    const keptIndex = createEngine({ store: new SqliteEventStore(file), jobIndex: new SqliteJobIndex(file), effects: instantJobEffects(clock), clock, dataDir: dir });
    await keptIndex.start();
    try {
      expect((await keptIndex.jobs.list({ limit: 10 })).jobs.map((j) => [j.jobId, j.state])).toEqual([['a', 'submitted'], ['b', 'cancelled'], ['c', 'pending'], ['d', 'submitted']]);
      expect((await keptIndex.jobs.list({ limit: 10, states: ['submitted'] })).jobs.map((j) => j.jobId)).toEqual(['a', 'd']);
    } finally {
      await keptIndex.stop();
    }

    // An altered segment fails the audit, naming it.
    const lines2 = gunzipSync(bytes).toString('utf8').replace('REF-a', 'REF-x');
    writeFileSync(join(archiveDir, segments[0]), gzipSync(Buffer.from(lines2)));
    const tampered = await cli('audit', 'verify', '--store', file);
    expect(tampered.code).toBe(1);
    expect(tampered.stderr).toContain(`FAIL archive: segment ${segments[0]}`);
    expect(tampered.stdout).toContain('audit FAILED');
    writeFileSync(join(archiveDir, segments[0]), bytes);
  });

  it('a key used by an archived job stays used: the same submission is that job, another one is refused', async () => {
    const store = new SqliteEventStore(file);
    const clock = new SimulatedClock();
    try {
      const engine = createEngine({ store, effects: instantJobEffects(clock), clock, dataDir: dir });
      const portal = { id: 'sim', payloadSchema: z.object({ chassisNo: z.string() }).strict(), businessKey: (p: { chassisNo: string }) => p.chassisNo, fillSteps: ['vehicle'] };
      const archive = new StreamArchive({ store, dir: archiveDir, machine: JOB_MACHINE, clock });
      const intake = new JobIntake({ host: engine.host, clock, portals: () => portal, archived: (stream) => archive.lastState(stream) });
      const first = await intake.submitJob({ portal: 'sim', payload: { chassisNo: 'CH-1' }, idempotencyKey: 'order-1' });
      await engine.host.send(first.stream, { type: 'CANCEL', reason: 'operator', at: new Date(clock.now()).toISOString(), by: 'operator' });
      await clock.advance(2 * DAY);
      const run = await archive.archive({ olderThanMs: DAY });
      expect(run.candidates.map((c) => c.stream)).toEqual([first.stream]);
      expect(await store.streamVersion(first.stream)).toBe(0);

      const again = await intake.submitJob({ portal: 'sim', payload: { chassisNo: 'CH-1' }, idempotencyKey: 'order-1' });
      expect(again).toMatchObject({ jobId: first.jobId, created: false, committed: { state: { value: 'cancelled' } } });
      expect(await store.streamVersion(first.stream)).toBe(0);
      await expect(intake.submitJob({ portal: 'sim', payload: { chassisNo: 'CH-2' }, idempotencyKey: 'order-1' })).rejects.toBeInstanceOf(InvalidCommandError);
      expect(await store.streamVersion(first.stream)).toBe(0);
    } finally {
      await store.close();
    }
  });
});
