// `${…}` substitution in declarative portal strings. `options.*` is filled in once when the file
// loads; `payload.*`, `businessKey` and `credentials.*` are filled in per job or per login.
import type { Credentials } from '@portal-engine/adapter-kit';

export type TemplateVariable =
  | { scope: 'options'; key: string }
  | { scope: 'payload'; path: readonly string[] }
  | { scope: 'businessKey' }
  | { scope: 'credentials'; field: keyof Credentials };

export type RuntimeScope = Exclude<TemplateVariable['scope'], 'options'>;

const PLACEHOLDER = /\$\{([^}]*)\}/g;
const NAME = /^[A-Za-z_][A-Za-z0-9_-]*$/;

export function parseVariable(name: string): TemplateVariable | undefined {
  const [head, ...rest] = name.trim().split('.');
  if (!rest.every((part) => NAME.test(part))) return undefined;
  if (head === 'options' && rest.length === 1) return { scope: 'options', key: rest[0] };
  if (head === 'payload' && rest.length > 0) return { scope: 'payload', path: rest };
  if (head === 'businessKey' && rest.length === 0) return { scope: 'businessKey' };
  if (head === 'credentials' && rest.length === 1 && (rest[0] === 'username' || rest[0] === 'password')) return { scope: 'credentials', field: rest[0] };
  return undefined;
}

/** Every `${…}` in the text, with its parsed variable (undefined when the name is not one). */
export function templateVariables(text: string): Array<{ name: string; variable: TemplateVariable | undefined }> {
  return [...text.matchAll(PLACEHOLDER)].map((match) => ({ name: match[1], variable: parseVariable(match[1]) }));
}

/** Replaces `${options.*}`; other placeholders stay for later. Reports options that are not given. */
export function substituteOptions(text: string, options: Readonly<Record<string, unknown>>): { text: string; missing: string[] } {
  const missing: string[] = [];
  const replaced = text.replace(PLACEHOLDER, (whole, name: string) => {
    const variable = parseVariable(name);
    if (variable?.scope !== 'options') return whole;
    const value = options[variable.key];
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return String(value);
    missing.push(variable.key);
    return whole;
  });
  return { text: replaced, missing };
}

export interface RuntimeValues {
  payload?: unknown;
  businessKey?: string;
  credentials?: Credentials;
}

/**
 * Fills the per-job placeholders (validated at load, so every one is known here). In URLs the
 * values are percent-encoded; a payload value that is absent becomes the empty string.
 */
export function renderTemplate(text: string, values: RuntimeValues, { encode }: { encode: boolean }): string {
  return text.replace(PLACEHOLDER, (whole, name: string) => {
    const variable = parseVariable(name);
    let value: string;
    switch (variable?.scope) {
      case 'payload':
        value = scalarText(valueAtPath(values.payload, variable.path));
        break;
      case 'businessKey':
        value = values.businessKey ?? '';
        break;
      case 'credentials':
        value = values.credentials?.[variable.field] ?? '';
        break;
      default:
        return whole;
    }
    return encode ? encodeURIComponent(value) : value;
  });
}

/** The value at a dotted path (`vehicle.chassisNo`), or undefined when any part is missing. */
export function valueAtPath(root: unknown, path: readonly string[]): unknown {
  let value = root;
  for (const key of path) {
    if (typeof value !== 'object' || value === null || !Object.hasOwn(value, key)) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

export function scalarText(value: unknown): string {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? String(value) : '';
}
