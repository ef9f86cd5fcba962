import { mkdir, mkdtemp, readFile, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SimulatedClock, ValidationError } from '@engine/core';
import { ProfileError } from './errors';
import { ProfileStore } from './profile-store';


describe('ProfileStore (file system)', () => {
  let dataDir: string;
  let clock: SimulatedClock;
  let store: ProfileStore;

  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'engine-profiles-'));
    clock = new SimulatedClock(Date.UTC(2026, 10, 29, 5, 0, 0, 123));
    store = new ProfileStore(dataDir, clock);
  });

  afterEach(() => rm(dataDir, { recursive: true, force: true }));

  async function fakeProfile(portalId: string): Promise<string> {
    const dir = await store.profileDir(portalId);
    await mkdir(join(dir, 'Default', 'Cache'), { recursive: true });
    await mkdir(join(dir, 'Default', 'Local Storage', 'leveldb'), { recursive: true });
    await writeFile(join(dir, 'Default', 'Cookies'), 'cookie-db');
    await writeFile(join(dir, 'Default', 'Local Storage', 'leveldb', '000003.log'), 'storage');
    await writeFile(join(dir, 'Default', 'Cache', 'data_0'), 'cached');
    await writeFile(join(dir, 'SingletonCookie'), 'x');
    await symlink('host-1234', join(dir, 'SingletonLock'));
    return dir;
  }

  it('keeps one master profile folder per portal under <dataDir>/profiles', async () => {
    expect(await store.profileDir('portal-sim')).toBe(join(dataDir, 'profiles', 'portal-sim'));
  });

  it('gives a further account of a portal its own folder, and refuses anything else with a dot', async () => {
    expect(await store.profileDir('portal-sim.second')).toBe(join(dataDir, 'profiles', 'portal-sim.second'));
    await expect(store.profileDir('portal-sim.')).rejects.toBeInstanceOf(ValidationError);
    await expect(store.profileDir('portal-sim.a.b')).rejects.toBeInstanceOf(ValidationError);
    await expect(store.profileDir('portal-sim./..')).rejects.toBeInstanceOf(ValidationError);
  });

  it('never builds a path from an invalid portal id', async () => {
    await expect(store.profileDir('../outside')).rejects.toBeInstanceOf(ValidationError);
    await expect(store.backup('Portal Sim')).rejects.toBeInstanceOf(ValidationError);
    expect(await readdir(dataDir)).toEqual([]);
  });

  it('backs up to a timestamped sibling without Singleton locks and caches', async () => {
    await fakeProfile('portal-sim');
    const backup = await store.backup('portal-sim');
    expect(backup.backupId).toBe('20261129T050000123Z');
    expect(backup.path).toBe(join(dataDir, 'profiles', 'portal-sim@20261129T050000123Z'));
    expect((await readdir(backup.path)).sort()).toEqual(['Default']);
    expect((await readdir(join(backup.path, 'Default'))).sort()).toEqual(['Cookies', 'Local Storage']);
    expect(await readFile(join(backup.path, 'Default', 'Local Storage', 'leveldb', '000003.log'), 'utf8')).toBe('storage');
  });

  it('gives two backups in the same millisecond distinct ids and lists them oldest first', async () => {
    await fakeProfile('portal-sim');
    const first = await store.backup('portal-sim');
    const second = await store.backup('portal-sim');
    await clock.advance(1000);
    const third = await store.backup('portal-sim');
    expect(second.backupId).toBe(`${first.backupId}-1`);
    expect((await store.backups('portal-sim')).map((b) => b.backupId)).toEqual([first.backupId, second.backupId, third.backupId]);
    expect(await store.backups('other')).toEqual([]);
  });

  it('restores a backup over a wiped or changed profile (nuclear recovery)', async () => {
    const dir = await fakeProfile('portal-sim');
    const backup = await store.backup('portal-sim');
    await store.wipe('portal-sim');
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'fresh-login-attempt'), 'x');
    expect(await store.restore('portal-sim', backup.backupId)).toBe(dir);
    expect((await readdir(dir)).sort()).toEqual(['Default']);
    expect(await readFile(join(dir, 'Default', 'Cookies'), 'utf8')).toBe('cookie-db');
  });

  it('fails clearly for a missing profile or backup, and rejects backup ids that are not ours', async () => {
    await expect(store.backup('portal-sim')).rejects.toMatchObject({ code: 'PROFILE_NOT_FOUND' });
    await expect(store.restore('portal-sim', '20261129T050000123Z')).rejects.toBeInstanceOf(ProfileError);
    await expect(store.restore('portal-sim', '../../etc')).rejects.toMatchObject({ code: 'BACKUP_NOT_FOUND' });
  });

  it('removes a backup', async () => {
    await fakeProfile('portal-sim');
    const backup = await store.backup('portal-sim');
    await store.removeBackup('portal-sim', backup.backupId);
    expect(await store.backups('portal-sim')).toEqual([]);
  });
});
