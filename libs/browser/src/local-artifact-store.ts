// ArtifactStore on a local folder (the embedded default): <root>/<kind>/<id>-<slug>.<ext>.
// Names are generated (artifact-names.ts), and every path, including one rebuilt from a
// reference, is checked to stay inside the root.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { RandomIdGenerator, type IdGenerator } from '@engine/core';
import { checkArtifactReference, newArtifactReference } from './artifact-names';
import type { ArtifactKind, ArtifactStore } from './artifact-store';
import { insideRoot } from './safe-path';

export class LocalArtifactStore implements ArtifactStore {
  constructor(
    private readonly root: string,
    private readonly ids: IdGenerator = new RandomIdGenerator(),
  ) {}

  async save(kind: ArtifactKind, label: string, content: Buffer | string): Promise<string> {
    const reference = newArtifactReference(kind, label, this.ids);
    const path = insideRoot(this.root, reference);
    await mkdir(insideRoot(this.root, kind), { recursive: true });
    await writeFile(path, content, { flag: 'wx' });
    return reference;
  }

  async read(reference: string): Promise<Buffer> {
    checkArtifactReference(reference);
    return readFile(insideRoot(this.root, reference));
  }
}
