// Failure screenshots for the inspector. Only references that the artifact store generated
// (`screenshot/<id>.png`, the LocalArtifactStore naming) are accepted, and the resolved file
// must stay inside the artifacts folder: a reference is never used as a raw path.
import { readFile } from 'node:fs/promises';
import { resolve, sep } from 'node:path';
import { NotFoundError } from '@engine/core';

const SCREENSHOT_REFERENCE = /^screenshot\/[a-z0-9_-]{1,120}\.png$/;

export function isScreenshotReference(reference: unknown): reference is string {
  return typeof reference === 'string' && SCREENSHOT_REFERENCE.test(reference);
}

/** Screenshot references a job (or any machine) keeps in its context: `artifacts` and `failures[].artifactRef`. */
export function screenshotReferences(context: unknown): string[] {
  const found = new Set<string>();
  const c = context as { artifacts?: unknown; failures?: unknown } | null;
  if (c && Array.isArray(c.artifacts)) for (const ref of c.artifacts) if (isScreenshotReference(ref)) found.add(ref);
  if (c && Array.isArray(c.failures)) for (const f of c.failures) if (isScreenshotReference((f as { artifactRef?: unknown })?.artifactRef)) found.add((f as { artifactRef: string }).artifactRef);
  return [...found];
}

export class ArtifactFiles {
  private readonly root: string;

  constructor(root: string) {
    this.root = resolve(root);
  }

  async readScreenshot(reference: string): Promise<Buffer> {
    if (!isScreenshotReference(reference)) throw new NotFoundError('artifact', 'invalid reference');
    const full = resolve(this.root, reference);
    if (!full.startsWith(this.root + sep)) throw new NotFoundError('artifact', 'invalid reference');
    try {
      return await readFile(full);
    } catch {
      throw new NotFoundError('artifact', reference);
    }
  }
}
