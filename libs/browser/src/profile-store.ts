// The master session's persistent profile folder, one per portal account (`<portal>` or
// `<portal>.<account>`, portal-id.ts), under the data dir, with the
// backup and restore that nuclear recovery needs: back up, wipe, log in fresh, restore on failure.
import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { SystemClock, type Clock } from '@engine/core';
import { ProfileError } from './errors';
import { assertProfileId } from './portal-id';
import { copyProfile } from './profile-copy';
import { insideRoot } from './safe-path';

const BACKUP_ID = /^\d{8}T\d{9}Z(?:-\d+)?$/;

export interface ProfileBackup {
  portalId: string;
  backupId: string;
  path: string;
}

export class ProfileStore {
  private readonly root: string;

  constructor(dataDir: string, private readonly clock: Clock = new SystemClock()) {
    this.root = insideRoot(dataDir, 'profiles');
  }

  /** The master profile folder of a portal, created if missing. */
  async profileDir(portalId: string): Promise<string> {
    const dir = this.masterPath(portalId);
    await mkdir(dir, { recursive: true });
    return dir;
  }

  /** Copies the master profile (without locks and caches) to a timestamped sibling folder. */
  async backup(portalId: string): Promise<ProfileBackup> {
    const source = this.masterPath(portalId);
    if (!(await exists(source))) throw new ProfileError('PROFILE_NOT_FOUND', `portal ${portalId} has no profile to back up`);
    const stamp = new Date(this.clock.now()).toISOString().replace(/[-:.]/g, '');
    let backupId = stamp;
    for (let n = 1; await exists(this.backupPath(portalId, backupId)); n++) backupId = `${stamp}-${n}`;
    const path = this.backupPath(portalId, backupId);
    // Copy into a hidden temp name first so a crash mid-copy never leaves a half backup that looks whole.
    const partial = insideRoot(this.root, `.${portalId}@${backupId}.partial`);
    await copyProfile(source, partial);
    await rename(partial, path);
    return { portalId, backupId, path };
  }

  /** Backups of a portal, oldest first. */
  async backups(portalId: string): Promise<ProfileBackup[]> {
    assertProfileId(portalId);
    const prefix = `${portalId}@`;
    const names = await readdir(this.root).catch(() => [] as string[]);
    return names
      .filter((name) => name.startsWith(prefix) && BACKUP_ID.test(name.slice(prefix.length)))
      .sort()
      .map((name) => ({ portalId, backupId: name.slice(prefix.length), path: insideRoot(this.root, name) }));
  }

  /** Replaces the master profile with a backup. The browser using the profile must be closed. */
  async restore(portalId: string, backupId: string): Promise<string> {
    if (!BACKUP_ID.test(backupId)) throw new ProfileError('BACKUP_NOT_FOUND', `portal ${portalId}: no such backup`);
    const source = this.backupPath(portalId, backupId);
    if (!(await exists(source))) throw new ProfileError('BACKUP_NOT_FOUND', `portal ${portalId}: backup ${backupId} not found`);
    const target = this.masterPath(portalId);
    await rm(target, { recursive: true, force: true, maxRetries: 3 });
    await copyProfile(source, target);
    return target;
  }

  /** Deletes the master profile (nuclear recovery's fresh start). Backups stay. */
  async wipe(portalId: string): Promise<void> {
    await rm(this.masterPath(portalId), { recursive: true, force: true, maxRetries: 3 });
  }

  async removeBackup(portalId: string, backupId: string): Promise<void> {
    if (!BACKUP_ID.test(backupId)) throw new ProfileError('BACKUP_NOT_FOUND', `portal ${portalId}: no such backup`);
    await rm(this.backupPath(portalId, backupId), { recursive: true, force: true, maxRetries: 3 });
  }

  private masterPath(portalId: string): string {
    return insideRoot(this.root, assertProfileId(portalId));
  }

  private backupPath(portalId: string, backupId: string): string {
    return insideRoot(this.root, `${assertProfileId(portalId)}@${backupId}`);
  }
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}
