// Reads a declarative portal file (YAML or JSON), fills in the PORTALS options, checks the whole
// document and builds its adapter. Every problem is reported at once, each with its path.
import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { ZodIssue } from 'zod';
import { DeclarativePortalAdapter } from './declarative-portal.adapter';
import { jsonSchemaToZod } from './json-schema-to-zod';
import { portalDocumentSchema } from './portal-document';
import { formatDocumentPath, PortalDocumentError, type DocumentIssue, type DocumentPath } from './portal-document-error';
import { substituteOptions } from './template';

export const DECLARATIVE_PORTAL_EXTENSIONS: readonly string[] = ['.yaml', '.yml', '.json'];

export function isDeclarativePortalFile(path: string): boolean {
  return DECLARATIVE_PORTAL_EXTENSIONS.includes(extname(path).toLowerCase());
}

export function loadDeclarativePortal(file: string, options: Readonly<Record<string, unknown>> = {}): DeclarativePortalAdapter {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new PortalDocumentError(file, [{ path: [], reason: 'the file could not be read' }], error);
  }
  return declarativePortalFromText(file, text, options);
}

/** `file` names the document in errors and chooses the syntax (`.json` or YAML). */
export function declarativePortalFromText(file: string, text: string, options: Readonly<Record<string, unknown>> = {}): DeclarativePortalAdapter {
  const raw = parseDocument(file, text);
  const issues: DocumentIssue[] = [];
  const document = withOptions(raw, [], options, issues);
  if (!isRecord(document)) throw new PortalDocumentError(file, [{ path: [], reason: 'the document must be a mapping of keys' }]);
  if (document.payload === undefined) issues.push({ path: ['payload'], reason: 'is required' });
  const payload = jsonSchemaToZod(document.payload ?? { type: 'object' }, ['payload'], issues);
  const parsed = portalDocumentSchema(payload.shape).safeParse(document);
  if (!parsed.success) {
    // A string whose option is missing is reported once, as the missing option.
    const reported = new Set(issues.map((issue) => formatDocumentPath(issue.path)));
    issues.push(...parsed.error.issues.flatMap(toDocumentIssues).filter((issue) => !reported.has(formatDocumentPath(issue.path))));
  }
  if (issues.length > 0 || !parsed.success) throw new PortalDocumentError(file, issues);
  return new DeclarativePortalAdapter(parsed.data, payload.zod);
}

function parseDocument(file: string, text: string): unknown {
  try {
    return extname(file).toLowerCase() === '.json' ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    const syntax = extname(file).toLowerCase() === '.json' ? 'JSON' : 'YAML';
    // The parser's first line says where (line and column); the excerpt after it is left out.
    const where = error instanceof Error ? error.message.split('\n')[0] : '';
    throw new PortalDocumentError(file, [{ path: [], reason: `not valid ${syntax}: ${where}` }], error);
  }
}

/** Fills `${options.*}` in every string except the payload schema, whose patterns are left alone. */
function withOptions(value: unknown, path: DocumentPath, options: Readonly<Record<string, unknown>>, issues: DocumentIssue[]): unknown {
  if (typeof value === 'string') {
    const { text, missing } = substituteOptions(value, options);
    for (const key of missing) issues.push({ path, reason: `option ${key} is not given (PORTALS options, a string, number or boolean)` });
    return text;
  }
  if (Array.isArray(value)) return value.map((item, i) => withOptions(item, [...path, i], options, issues));
  if (isRecord(value)) {
    return Object.fromEntries(
      Object.entries(value).map(([key, child]) => [key, path.length === 0 && key === 'payload' ? child : withOptions(child, [...path, key], options, issues)]),
    );
  }
  return value;
}

function toDocumentIssues(issue: ZodIssue): DocumentIssue[] {
  switch (issue.code) {
    case 'unrecognized_keys':
      return issue.keys.map((key) => ({ path: [...issue.path, key], reason: 'unknown key' }));
    case 'invalid_union': {
      // Report the alternative that got furthest; if none got past the value's type, name the types.
      const deeper = issue.unionErrors.map((e) => e.issues).find((issues) => issues.some((i) => i.code !== 'invalid_type' || i.path.length > issue.path.length));
      if (deeper) return deeper.flatMap(toDocumentIssues);
      const expected = issue.unionErrors.flatMap((e) => e.issues.map((i) => (i.code === 'invalid_type' ? i.expected : '')).filter(Boolean));
      return [{ path: issue.path, reason: `must be ${[...new Set(expected)].join(' or ')}` }];
    }
    case 'invalid_type':
      return [{ path: issue.path, reason: issue.received === 'undefined' ? 'is required' : `must be ${issue.expected}, not ${issue.received}` }];
    default:
      return [{ path: issue.path, reason: issue.message }];
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
