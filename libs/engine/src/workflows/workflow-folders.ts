// The folders of workflow sessions: `<dataDir>/workflows/<sid>/`. A sid or a file name from
// outside is checked against its allow-list (ValidationError, nothing touched) and every path
// built from one is proved to stay inside the data folder (`insideRoot`) before it is used.
// Uploads are written to a dot-named temporary file and renamed into place, so a reader never
// sees half a file and an existing symlink at the target name is replaced, never followed.
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { ValidationError } from '@engine/core';
import { insideRoot } from '@engine/browser';
import { isSafeFileName, isWorkflowId } from '@engine/machines';

/** The sub-folder browser downloads of a workflow go to; dot-named, so no upload can collide with it. */
export const DOWNLOADS_FOLDER = '.downloads';

export function assertWorkflowId(sid: unknown): asserts sid is string {
  if (!isWorkflowId(sid)) throw new ValidationError('invalid workflow id', { sid: 'must match ^[A-Za-z0-9_-]{1,64}$' });
}

export function assertFileName(name: unknown): asserts name is string {
  if (!isSafeFileName(name)) {
    throw new ValidationError('invalid file name', { name: 'must be 1-128 of A-Z a-z 0-9 . _ - and space, start and end with a letter, digit, _ or -, without ..' });
  }
}

export class WorkflowFolders {
  constructor(private readonly dataDir: string) {}

  /** Where all workflow folders live. */
  root(): string {
    return insideRoot(this.dataDir, 'workflows');
  }

  folder(sid: string): string {
    assertWorkflowId(sid);
    return insideRoot(this.dataDir, 'workflows', sid);
  }

  downloads(sid: string): string {
    return insideRoot(this.folder(sid), DOWNLOADS_FOLDER);
  }

  async ensure(sid: string): Promise<string> {
    const folder = this.folder(sid);
    await mkdir(insideRoot(folder, DOWNLOADS_FOLDER), { recursive: true });
    return folder;
  }

  /** Removes the folder and everything in it, then creates it again empty. */
  async empty(sid: string): Promise<void> {
    await this.remove(sid);
    await this.ensure(sid);
  }

  async remove(sid: string): Promise<void> {
    await rm(this.folder(sid), { recursive: true, force: true, maxRetries: 3 });
  }

  /** Writes `bytes` beside `<folder>/<name>`: `commit` renames it into place, `abandon` removes it. */
  async write(sid: string, name: string, bytes: Uint8Array): Promise<{ commit(): Promise<void>; abandon(): Promise<void> }> {
    assertFileName(name);
    const folder = await this.ensure(sid);
    const target = insideRoot(folder, name);
    const temporary = insideRoot(folder, `.upload-${randomBytes(8).toString('hex')}`);
    await writeFile(temporary, bytes, { flag: 'wx', mode: 0o600 });
    return {
      commit: () => rename(temporary, target),
      abandon: () => rm(temporary, { force: true }),
    };
  }

  /** The bytes of `<folder>/<name>`; a symlink there is refused, never followed. */
  async read(sid: string, name: string): Promise<Buffer> {
    assertFileName(name);
    return readFile(insideRoot(this.folder(sid), name), { flag: constants.O_RDONLY | constants.O_NOFOLLOW });
  }

  /** Folder names on disk that are not in `keep`: what a crashed or failed close left behind. */
  async orphans(keep: ReadonlySet<string>): Promise<string[]> {
    let names: string[];
    try {
      names = await readdir(this.root());
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    return names.filter((name) => !keep.has(name));
  }

  /** Removes one entry of the workflows root found by `orphans` (its name is checked to be one segment). */
  async removeOrphan(name: string): Promise<void> {
    await rm(insideRoot(this.root(), name), { recursive: true, force: true, maxRetries: 3 });
  }
}
