// The ArtifactStore port: failure evidence (screenshots, HTML, URL, console errors) saved
// somewhere and referenced from events by an opaque reference.
export type ArtifactKind = 'screenshot' | 'html' | 'url' | 'console';

export interface ArtifactStore {
  /**
   * Saves one artifact. `label` only helps a human browsing the folder (a stage, a job id); it is
   * reduced to a safe slug, and the stored name is always led by a generated id.
   */
  save(kind: ArtifactKind, label: string, content: Buffer | string): Promise<string>;
  /** Reads an artifact back by the reference `save` returned. */
  read(reference: string): Promise<Buffer>;
}
