// A backup carries the archive along: `engine backup` copies the segments anchored in the store
// into `<file>.archive`, and `engine restore` puts them into the fresh folder's archive, so the
// restored store passes `audit verify` with its archive and still shows the archived jobs. A
// segment that is missing or altered is refused before anything is written. The commands run
// in process here (the process itself is covered by backup.int.spec.ts and cli.int.spec.ts).
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SimulatedClock } from '@engine/core';
import { createEngine } from '@engine/engine';
import { SqliteEventStore } from '@engine/event-store';
import { ENGINE_MACHINES } from '@engine/machines';
import { jobInput } from '@engine/machines/testing';
import { archiveDirFor, jobArchive } from './archive-command';
import { auditVerifyCommand } from './audit-command';
import { backupCommand, restoreCommand } from './backup-command';
import { CliError } from './cli-error';
import { instantJobEffects } from './testing/instant-job-effects';

jest.setTimeout(120_000);

const DAY = 86_400_000;


const silent = { update: () => undefined, done: () => undefined };

describe('engine backup / restore with archive segments', () => {
  let dir: string;
  let store: string;
  let archiveDir: string;
  const archiveDirOf = (storePath: string) => archiveDirFor(undefined, {}, storePath);

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'engine-backup-archive-'));
    store = join(dir, 'live', 'events.db');
    archiveDir = join(dir, 'live', 'archive');
    mkdirSync(join(dir, 'live'));
    const clock = new SimulatedClock(Date.now() - 2 * DAY);
    const engine = createEngine({ store: new SqliteEventStore(store), effects: instantJobEffects(clock), clock, dataDir: join(dir, 'live') });
    await engine.start();
    for (const id of ['a', 'b']) {
      await engine.host.create('job', id, { ...jobInput, jobId: id, businessKey: `BK-${id}`, steps: ['applicant'] });
      await engine.host.send(`job-${id}`, { type: 'START' });
    }
    await engine.host.idle();
    await engine.stop();
    const live = new SqliteEventStore(store);
    try {
      const run = await jobArchive(live, archiveDir).archive({ olderThanMs: DAY });
      expect(run.removed).toBe(2);
    } finally {
      await live.close();
    }
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const lines = () => {
    const out: string[] = [];
    return { out, push: (line: string) => void out.push(line) };
  };

  it('copies the anchored segments with the backup and back on restore; the restored store verifies and shows the archived jobs', async () => {
    const backupFile = join(dir, 'backup.db');
    const b = lines();
    await expect(backupCommand(`sqlite:${store}`, backupFile, false, b.push, archiveDirOf)).resolves.toBe(0);
    const [segment] = readdirSync(archiveDir);
    expect(readdirSync(`${backupFile}.archive`)).toEqual([segment]);
    expect(readFileSync(join(`${backupFile}.archive`, segment))).toEqual(readFileSync(join(archiveDir, segment)));
    expect(b.out.join('\n')).toContain(`archive: 1 segment(s) in ${backupFile}.archive (1 copied)`);

    const fresh = join(dir, 'fresh');
    const r = lines();
    await expect(restoreCommand(backupFile, { dataDir: fresh, location: 'memory:' }, false, r.push, archiveDirOf)).resolves.toBe(0);
    expect(readdirSync(join(fresh, 'archive'))).toEqual([segment]);
    expect(r.out.join('\n')).toContain('archive: 1 segment(s)');

    const restored = new SqliteEventStore(join(fresh, 'events.db'));
    try {
      const out: string[] = [];
      const err: string[] = [];
      const archive = jobArchive(restored, join(fresh, 'archive'));
      await expect(auditVerifyCommand(restored, ENGINE_MACHINES, silent, (l) => out.push(l), (l) => err.push(l), archive)).resolves.toBe(0);
      expect(out.join('\n')).toContain('archive: 1 segment(s), 2 stream(s)');
      expect(err.join('\n')).not.toContain('FAIL');
      expect(((await archive.lastState('job-a'))?.state as { value: string }).value).toBe('submitted');
    } finally {
      await restored.close();
    }
  });

  it('refuses a restore whose segments are neither beside the backup nor in the target, and creates nothing', async () => {
    const backupFile = join(dir, 'backup.db');
    renameSync(`${backupFile}.archive`, `${backupFile}.moved`);
    try {
      const target = join(dir, 'elsewhere');
      await expect(restoreCommand(backupFile, { dataDir: target, location: 'memory:' }, false, () => undefined, archiveDirOf)).rejects.toThrow(CliError);
      await expect(restoreCommand(backupFile, { dataDir: target, location: 'memory:' }, false, () => undefined, archiveDirOf)).rejects.toThrow(/archive segment segment-.*is missing or altered/);
      expect(existsSync(target)).toBe(false);
    } finally {
      renameSync(`${backupFile}.moved`, `${backupFile}.archive`);
    }
  });

  it('refuses a backup when the store anchors a segment whose bytes changed, and writes nothing', async () => {
    const [segment] = readdirSync(archiveDir);
    const path = join(archiveDir, segment);
    const bytes = readFileSync(path);
    writeFileSync(path, Buffer.concat([bytes, Buffer.from([0])]));
    try {
      const target = join(dir, 'backup-2.db');
      await expect(backupCommand(`sqlite:${store}`, target, false, () => undefined, archiveDirOf)).rejects.toThrow(/is missing or altered: .* has sha256 [0-9a-f]+, not the anchored/);
      expect(existsSync(target)).toBe(false);
      expect(existsSync(`${target}.archive`)).toBe(false);
    } finally {
      writeFileSync(path, bytes);
    }
  });
});
