// Which failure screenshots a stream references. Only references in the artifact store's own
// naming (`screenshot/<generated id>.png`) count; the store itself re-checks the reference and
// keeps the resolved file inside its folder, so a reference is never used as a raw path.

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
