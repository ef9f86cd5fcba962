// Retention on a temporary data folder: each kind goes after its own age, a profile backup a
// recovery still names stays, artifacts kept elsewhere (S3) are not touched, and the engine runs
// it on its clock when configured.
import { mkdirSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SimulatedClock } from '@engine/core';
import { ProfileStore } from '@engine/browser';
import { MemoryEventStore } from '@engine/event-store';
import { createEngine } from '../engine';
import { DataRetention } from './data-retention';

const DAY = 86_400_000;
const PORTAL = 'portal-a';

describe('DataRetention', () => {
  let dir: string;
  let now: number;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'engine-retention-'));
    now = Date.now();
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** A file or folder under the data dir, last modified `ageMs` ago. */
  function aged(path: string, ageMs: number, folder = false): void {
    const full = join(dir, path);
    if (folder) mkdirSync(full, { recursive: true });
    else {
      mkdirSync(join(full, '..'), { recursive: true });
      writeFileSync(full, 'x');
    }
    utimesSync(full, new Date(now - ageMs), new Date(now - ageMs));
  }

  it('removes what is older than its kind’s age, and keeps a backup a recovery still names', async () => {
    const clock = new SimulatedClock(now - 40 * DAY);
    const profiles = new ProfileStore(dir, clock);
    const taken: string[] = [];
    writeFileSync(join(await profiles.profileDir(PORTAL), 'Cookies'), 'c');
    for (const step of [0, DAY, 38 * DAY]) {
      await clock.advance(step);
      taken.push((await profiles.backup(PORTAL)).backupId);
    }
    await clock.advance(DAY);
    aged('artifacts/screenshot/old.png', 40 * DAY);
    aged('artifacts/screenshot/new.png', DAY);
    aged('artifacts/html/old.html', 31 * DAY);
    aged('clones/leaked', 3 * DAY, true);
    aged('clones/in-use', 60_000, true);
    const retention = new DataRetention({ dataDir: dir, profiles, portals: () => [PORTAL], backupsInUse: () => new Set([`${PORTAL}@${taken[0]}`]), localArtifacts: true, clock });

    const report = await retention.sweep({ artifactsMs: 30 * DAY, profileBackupsMs: 30 * DAY, clonesMs: DAY });
    expect(report).toEqual({ artifacts: 2, profileBackups: 1, clones: 1 });
    expect(readdirSync(join(dir, 'artifacts', 'screenshot'))).toEqual(['new.png']);
    expect(readdirSync(join(dir, 'artifacts', 'html'))).toEqual([]);
    expect(readdirSync(join(dir, 'clones'))).toEqual(['in-use']);
    // 40 and 39 days old: the older one is named by a recovery, the other goes; the recent one stays.
    expect((await profiles.backups(PORTAL)).map((b) => b.backupId)).toEqual([taken[0], taken[2]]);
    expect(readdirSync(await profiles.profileDir(PORTAL))).toEqual(['Cookies']);
  });

  it('keeps every kind without an age, and never touches artifacts that are not on the local disk', async () => {
    const clock = new SimulatedClock(now);
    aged('artifacts/screenshot/old.png', 400 * DAY);
    aged('clones/leaked', 400 * DAY, true);
    const profiles = new ProfileStore(dir, clock);
    const retention = new DataRetention({ dataDir: dir, profiles, portals: () => [PORTAL], backupsInUse: () => new Set(), localArtifacts: false, clock });
    expect(await retention.sweep({ artifactsMs: DAY })).toEqual({ artifacts: 0, profileBackups: 0, clones: 0 });
    expect(readdirSync(join(dir, 'artifacts', 'screenshot'))).toEqual(['old.png']);
    expect(readdirSync(join(dir, 'clones'))).toEqual(['leaked']);
  });

  it('runs on the engine clock when the engine is given a retention policy', async () => {
    const clock = new SimulatedClock(now);
    aged('artifacts/screenshot/old.png', 40 * DAY);
    aged('artifacts/screenshot/new.png', DAY);
    const engine = createEngine({ store: new MemoryEventStore(), clock, dataDir: dir, retention: { artifactsMs: 30 * DAY, everyMs: 3_600_000 } });
    await engine.start();
    await clock.advance(3_600_000);
    await engine.stop(); // waits for the sweep in flight
    expect(readdirSync(join(dir, 'artifacts', 'screenshot'))).toEqual(['new.png']);
  });
});
