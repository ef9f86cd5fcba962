// How every ArtifactStore names what it saves: `<kind>/<generated id>-<slug>.<ext>`. The same
// reference works whichever store holds the artifact (a folder, a bucket), and a reference is
// only ever accepted back in this shape, so it can never name anything else.
import { ValidationError, type IdGenerator } from '@engine/core';
import type { ArtifactKind } from './artifact-store';

export const ARTIFACT_EXTENSIONS: Record<ArtifactKind, string> = { screenshot: 'png', html: 'html', url: 'txt', console: 'json' };
export const ARTIFACT_CONTENT_TYPES: Record<ArtifactKind, string> = { screenshot: 'image/png', html: 'text/html; charset=utf-8', url: 'text/plain; charset=utf-8', console: 'application/json' };
const REFERENCE = /^(screenshot|html|url|console)\/[a-z0-9_-]{1,120}\.(png|html|txt|json)$/;

/** A new reference for an artifact of `kind`; `label` only helps a human browsing the store. */
export function newArtifactReference(kind: ArtifactKind, label: string, ids: IdGenerator): string {
  if (!(kind in ARTIFACT_EXTENSIONS)) throw new ValidationError('unknown artifact kind', { kind: 'screenshot, html, url or console' });
  const id = slug(ids.next('art'), 60);
  const name = [id, slug(label, 40)].filter(Boolean).join('-');
  return `${kind}/${name}.${ARTIFACT_EXTENSIONS[kind]}`;
}

/** Throws unless `reference` is in the shape a store issues. */
export function checkArtifactReference(reference: string): void {
  if (!REFERENCE.test(reference)) throw new ValidationError('invalid artifact reference', { reference: 'not a reference this store issued' });
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
