// Deterministic JSON (object keys sorted, no whitespace, undefined properties dropped) so that a
// hash or an equality check does not depend on key insertion order. Built as one string without
// intermediate objects: it runs on every append and on every event an audit verifies.
export function canonicalJson(value: unknown): string {
  return write(value) ?? 'null';
}

function write(value: unknown): string | undefined {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      return Number.isFinite(value) ? String(value) : 'null';
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object':
      break;
    case 'bigint':
      throw new TypeError('canonicalJson: BigInt is not JSON');
    default:
      return undefined; // undefined, functions and symbols are dropped, as JSON.stringify does
  }
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return write((value as { toJSON(): unknown }).toJSON());
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) out += (i ? ',' : '') + (write(value[i]) ?? 'null');
    return `${out}]`;
  }
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj).sort();
  let out = '{';
  let first = true;
  for (const key of keys) {
    const v = write(obj[key]);
    if (v === undefined) continue;
    out += `${first ? '' : ','}${JSON.stringify(key)}:${v}`;
    first = false;
  }
  return `${out}}`;
}

/** A value in JSON form and its canonical text: what `JSON.parse(canonicalJson(value))` and `canonicalJson(value)` give. */
export interface Canonical<T = unknown> {
  value: T;
  text: string;
}

/**
 * The JSON-normal copy of `value` (keys sorted, undefined dropped, toJSON applied, non-finite
 * numbers as null) and its canonical text, from one walk. The copy's keys are created in sorted
 * order, so the engine's native JSON.stringify writes the canonical text for it; only an object
 * with a key that starts with a digit (V8 lists array-index keys first, in numeric order) is
 * written by canonicalJson instead. For the host's step, which needs both forms of every state.
 */
export function canonicalize<T>(value: T): Canonical<T> {
  digitKeys = false;
  const copy = copyJson(value) ?? null;
  return { value: copy as T, text: digitKeys ? canonicalJson(copy) : JSON.stringify(copy) };
}

let digitKeys = false;

function copyJson(value: unknown): unknown {
  if (value === null) return null;
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      // -0 is written as 0 and reads back as 0.
      return Number.isFinite(value) ? value + 0 : null;
    case 'object':
      break;
    case 'bigint':
      throw new TypeError('canonicalJson: BigInt is not JSON');
    default:
      return undefined;
  }
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return copyJson((value as { toJSON(): unknown }).toJSON());
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    for (let i = 0; i < value.length; i++) out.push(copyJson(value[i]) ?? null);
    return out;
  }
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj);
  if (keys.length > 1) keys.sort();
  const out: Record<string, unknown> = {};
  for (const key of keys) {
    const v = copyJson(obj[key]);
    if (v === undefined) continue;
    const first = key.charCodeAt(0);
    if (first >= 48 && first <= 57) digitKeys = true;
    if (key === '__proto__') Object.defineProperty(out, key, { value: v, enumerable: true, writable: true, configurable: true });
    else out[key] = v;
  }
  return out;
}
