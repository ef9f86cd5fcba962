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
