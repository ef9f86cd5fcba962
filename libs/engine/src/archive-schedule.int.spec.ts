// The engine's scheduled archiving (ARCHIVE_AFTER / ARCHIVE_EVERY on the server): on its clock,
// finished job streams go to a segment in <dataDir>/archive and out of the store; a job not
// finished stays. Memory store, simulated clock, a temporary data folder.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SimulatedClock, ValidationError } from '@engine/core';
import { ARCHIVE_STREAM, MemoryEventLog, MemoryEventStore } from '@engine/event-store';
import { jobInput } from '@engine/machines/testing';
import { createEngine } from './engine';

const HOUR = 3_600_000;

describe('scheduled archiving', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'engine-archive-schedule-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('archives finished jobs on the engine clock and leaves the others', async () => {
    const log = new MemoryEventLog();
    const clock = new SimulatedClock();
    const engine = createEngine({ store: new MemoryEventStore(log), clock, dataDir: dir, archiveSchedule: { olderThanMs: 0, everyMs: HOUR } });
    await engine.start();
    const create = (id: string) => engine.host.create('job', id, { ...jobInput, jobId: id, businessKey: `BK-${id}`, steps: ['applicant'] });
    await create('done');
    await engine.host.send('job-done', { type: 'CANCEL', reason: 'operator', at: new Date(clock.now()).toISOString(), by: 'operator' });
    // No portal, so no scheduler starts it: a job waiting in pending, not finished.
    await create('pending');

    await clock.advance(HOUR);
    await engine.feed.waitFor(ARCHIVE_STREAM, (entry) => entry !== undefined, { signal: AbortSignal.timeout(30_000) });
    await engine.stop(); // waits for the run in flight

    const store = new MemoryEventStore(log);
    expect(await store.streamVersion('job-done')).toBe(0);
    expect((await store.read('job-pending')).map((e) => e.type)).toEqual(['actor.started']);
    expect(readdirSync(join(dir, 'archive'))).toHaveLength(1);
    const [anchor] = await store.read(ARCHIVE_STREAM);
    expect(anchor.data).toMatchObject({ streams: [{ stream: 'job-done', version: 2 }] });
  });

  it('refuses a schedule it cannot run', () => {
    expect(() => createEngine({ store: new MemoryEventStore(), dataDir: dir, archiveSchedule: { olderThanMs: -1, everyMs: HOUR } })).toThrow(ValidationError);
    expect(() => createEngine({ store: new MemoryEventStore(), dataDir: dir, archiveSchedule: { olderThanMs: 0, everyMs: 10 } })).toThrow(ValidationError);
  });
});
