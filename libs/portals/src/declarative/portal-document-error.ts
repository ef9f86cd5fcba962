// A declarative portal file that cannot be used: the file, where in the document and why. It is
// an AdapterLoadError, so the engine refuses to start exactly as for a broken adapter module.
import { AdapterLoadError } from '../errors';

export type DocumentPath = ReadonlyArray<string | number>;

export interface DocumentIssue {
  path: DocumentPath;
  reason: string;
}

export class PortalDocumentError extends AdapterLoadError {
  /** Where the first problem is, as `steps[2].actions[0].fill.from`. */
  readonly documentPath: string;
  readonly issues: ReadonlyArray<{ path: string; reason: string }>;

  constructor(file: string, issues: readonly DocumentIssue[], cause?: unknown) {
    const formatted = issues.map((issue) => ({ path: formatDocumentPath(issue.path), reason: issue.reason }));
    super(file, formatted.map((issue) => `${issue.path}: ${issue.reason}`).join('; '), cause);
    this.documentPath = formatted[0]?.path ?? '(document)';
    this.issues = formatted;
  }
}

/** `['steps', 2, 'actions', 0, 'fill', 'from']` → `steps[2].actions[0].fill.from`; the root is `(document)`. */
export function formatDocumentPath(path: DocumentPath): string {
  if (path.length === 0) return '(document)';
  return path.map((part, i) => (typeof part === 'number' ? `[${part}]` : i === 0 ? part : `.${part}`)).join('');
}
