// Age-based retention of what the engine leaves in DATA_DIR besides the log: failure artifacts on
// the local disk (`artifacts/`), master-profile backups of nuclear recoveries (`profiles/<portal>@<id>`)
// and clone folders (`clones/`, normally removed with their attempt: what is left is leaked).
// Each kind has its own age; a kind without one is kept forever. A profile backup that a master
// session's recovery still names is never removed, whatever its age.
import { readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Clock, Logger } from '@engine/core';
import { silentLogger } from '@engine/core';
import type { ProfileStore } from '@engine/browser';

export interface RetentionPolicy {
  /** Failure artifacts in `<dataDir>/artifacts` last written longer ago than this are removed. */
  artifactsMs?: number;
  /** Profile backups taken longer ago than this are removed (unless a recovery still names them). */
  profileBackupsMs?: number;
  /** Clone folders in `<dataDir>/clones` untouched for longer than this are removed. */
  clonesMs?: number;
}

export interface RetentionReport {
  artifacts: number;
  profileBackups: number;
  clones: number;
}

export interface DataRetentionOptions {
  dataDir: string;
  profiles: ProfileStore;
  /** Portals whose profile backups are looked at. */
  portals: () => readonly string[];
  /** `<portal>@<backupId>` of every backup a master session still names. */
  backupsInUse: () => ReadonlySet<string>;
  /** False when artifacts are not in `<dataDir>/artifacts` (an S3 bucket: use the bucket's lifecycle rules). */
  localArtifacts: boolean;
  clock: Clock;
  logger?: Logger;
}

/** `20260101T000000000Z` (ProfileStore's backup id, on the engine clock) → epoch ms. */
function backupTakenAt(backupId: string): number {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})(\d{3})Z/.exec(backupId);
  return m ? Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6], +m[7]) : Number.NaN;
}

export class DataRetention {
  private readonly logger: Logger;

  constructor(private readonly options: DataRetentionOptions) {
    this.logger = options.logger ?? silentLogger;
  }

  async sweep(policy: RetentionPolicy): Promise<RetentionReport> {
    const now = this.options.clock.now();
    const report: RetentionReport = { artifacts: 0, profileBackups: 0, clones: 0 };
    if (policy.artifactsMs !== undefined && this.options.localArtifacts) {
      const root = join(this.options.dataDir, 'artifacts');
      for (const kind of await entries(root)) report.artifacts += await removeOlder(join(root, kind), now - policy.artifactsMs);
    }
    if (policy.clonesMs !== undefined) report.clones = await removeOlder(join(this.options.dataDir, 'clones'), now - policy.clonesMs);
    if (policy.profileBackupsMs !== undefined) {
      const inUse = this.options.backupsInUse();
      for (const portal of this.options.portals()) {
        for (const backup of await this.options.profiles.backups(portal)) {
          if (inUse.has(`${portal}@${backup.backupId}`) || !(backupTakenAt(backup.backupId) <= now - policy.profileBackupsMs)) continue;
          await this.options.profiles.removeBackup(portal, backup.backupId);
          report.profileBackups += 1;
        }
      }
    }
    if (report.artifacts + report.profileBackups + report.clones > 0) this.logger.info('retention removed old data', { ...report });
    return report;
  }
}

async function entries(dir: string): Promise<string[]> {
  return readdir(dir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return [];
    throw error;
  });
}

/** Removes every entry of `dir` last modified at or before `cutoff`; returns how many. */
async function removeOlder(dir: string, cutoff: number): Promise<number> {
  let removed = 0;
  for (const name of await entries(dir)) {
    const path = join(dir, name);
    const info = await stat(path).catch(() => undefined);
    if (!info || info.mtimeMs > cutoff) continue;
    await rm(path, { recursive: true, force: true, maxRetries: 3 });
    removed += 1;
  }
  return removed;
}
