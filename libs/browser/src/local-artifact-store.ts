// ArtifactStore on a local folder: <root>/<kind>/<id>-<slug>.<ext>. Names are generated, and
// every path, including one rebuilt from a reference, is checked to stay inside the root.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { RandomIdGenerator, ValidationError, type IdGenerator } from '@engine/core';
import type { ArtifactKind, ArtifactStore } from './artifact-store';
import { insideRoot } from './safe-path';

const EXTENSIONS: Record<ArtifactKind, string> = { screenshot: 'png', html: 'html', url: 'txt', console: 'json' };
const REFERENCE = /^(screenshot|html|url|console)\/[a-z0-9_-]{1,120}\.(png|html|txt|json)$/;

export class LocalArtifactStore implements ArtifactStore {
  constructor(
    private readonly root: string,
    private readonly ids: IdGenerator = new RandomIdGenerator(),
  ) {}

  async save(kind: ArtifactKind, label: string, content: Buffer | string): Promise<string> {
    if (!(kind in EXTENSIONS)) throw new ValidationError('unknown artifact kind', { kind: 'screenshot, html, url or console' });
    const id = slug(this.ids.next('art'), 60);
    const name = [id, slug(label, 40)].filter(Boolean).join('-');
    const reference = `${kind}/${name}.${EXTENSIONS[kind]}`;
    const path = insideRoot(this.root, reference);
    await mkdir(insideRoot(this.root, kind), { recursive: true });
    await writeFile(path, content, { flag: 'wx' });
    return reference;
  }

  async read(reference: string): Promise<Buffer> {
    if (!REFERENCE.test(reference)) throw new ValidationError('invalid artifact reference', { reference: 'not a reference this store issued' });
    return readFile(insideRoot(this.root, reference));
  }
}

/** Lowercase letters, digits, `_` and `-` only: nothing a shell, a URL or a path would interpret. */
function slug(text: string, max: number): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, max)
    .replace(/-+$/, '');
}
