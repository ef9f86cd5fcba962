// StreamArchive on the memory store and a temporary archive folder: what it selects, and how it
// recovers from a run that stopped between anchoring a segment and removing its streams.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EngineError, SimulatedClock, type NewEvent } from '@engine/core';
import { MemoryEventStore } from './memory-event-store';
import { ARCHIVE_STREAM, StreamArchive } from './stream-archive';

const DAY = 86_400_000;
const MACHINE = { streamPrefix: 'job-', id: 'job' };

function event(type: string, at: number, status: 'active' | 'done'): NewEvent {
  return { type, data: {}, stateAfter: { value: type, context: {}, status, effects: {}, timers: {} }, meta: { at: new Date(at).toISOString() } };
}

describe('StreamArchive', () => {
  let dir: string;
  let store: MemoryEventStore;
  let clock: SimulatedClock;
  let archive: StreamArchive;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'stream-archive-'));
    store = new MemoryEventStore();
    clock = new SimulatedClock();
    archive = new StreamArchive({ store, dir, machine: MACHINE, clock });
    const t0 = clock.now();
    await store.append('job-old-done', [event('started', t0, 'active'), event('submitted', t0 + 1, 'done')], { expectedVersion: 'no-stream' });
    await store.append('job-old-active', [event('started', t0, 'active')], { expectedVersion: 'no-stream' });
    await store.append('master-x', [event('started', t0, 'done')], { expectedVersion: 'no-stream' });
    await clock.advance(10 * DAY);
    await store.append('job-new-done', [event('cancelled', clock.now(), 'done')], { expectedVersion: 'no-stream' });
  });

  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('selects finished streams of its machine older than the age, and a dry run changes nothing', async () => {
    const run = await archive.archive({ olderThanMs: DAY, dryRun: true });
    expect(run.candidates).toEqual([{ stream: 'job-old-done', version: 2, state: 'submitted', lastEventAt: new Date(clock.now() - 10 * DAY + 1).toISOString() }]);
    expect(await store.streamVersion('job-old-done')).toBe(2);
    expect(readdirSync(dir)).toEqual([]);
    expect((await archive.archive({ olderThanMs: 0, dryRun: true })).candidates.map((c) => c.stream)).toEqual(['job-old-done', 'job-new-done']);
  });

  it('after a run that stopped before removing, the next one removes what is anchored without writing it again', async () => {
    jest.spyOn(store, 'removeStream').mockRejectedValueOnce(new EngineError('STORE_WRITE_FAILED', 'disk full'));
    await expect(archive.archive({ olderThanMs: DAY })).rejects.toMatchObject({ code: 'STORE_WRITE_FAILED' });
    expect(await store.streamVersion('job-old-done')).toBe(2);
    expect(await store.streamVersion(ARCHIVE_STREAM)).toBe(1);

    const again = await archive.archive({ olderThanMs: DAY });
    expect(again).toMatchObject({ removed: 1, segments: [], skipped: [] });
    expect(await store.streamVersion('job-old-done')).toBe(0);
    expect(await store.streamVersion(ARCHIVE_STREAM)).toBe(1);
    expect(readdirSync(dir)).toHaveLength(1);
    expect((await archive.read('job-old-done'))?.map((e) => e.type)).toEqual(['started', 'submitted']);
    expect(await archive.verify()).toMatchObject({ segments: 1, streams: 1, events: 2, problems: [] });
  });

  it('reports an anchored segment that is missing', async () => {
    await archive.archive({ olderThanMs: DAY });
    for (const name of readdirSync(dir)) rmSync(join(dir, name));
    const fresh = new StreamArchive({ store, dir, machine: MACHINE, clock });
    const report = await fresh.verify();
    expect(report.problems).toEqual([{ segment: expect.stringMatching(/\.jsonl\.gz$/), reason: expect.stringContaining('cannot be read') }]);
    await expect(fresh.read('job-old-done')).rejects.toMatchObject({ code: 'ARCHIVE_SEGMENT_INVALID' });
  });
});
