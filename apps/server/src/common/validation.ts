// Validation at the edge: one zod schema per payload (also used for the API docs). Failures
// become ValidationError → 400 with a field → message map; unknown fields are rejected by the
// schemas being strict.
import { ValidationError } from '@engine/core';
import type { z } from 'zod/v4';

export function parseOrThrow<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const fields: Record<string, string> = {};
  for (const issue of result.error.issues) {
    const keys = issue.code === 'unrecognized_keys' ? issue.keys.map((k) => [...issue.path, k].join('.')) : [issue.path.join('.') || '(root)'];
    for (const key of keys) fields[key] ??= issue.code === 'unrecognized_keys' ? 'unknown field' : issue.message;
  }
  throw new ValidationError(`invalid ${what}`, fields);
}
