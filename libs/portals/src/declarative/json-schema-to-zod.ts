// The JSON Schema subset a declarative portal's payload is written in, turned into the zod
// schema the engine validates payloads with. Unsupported keywords are refused with their path
// rather than ignored: a constraint that silently does nothing would let bad jobs through.
import { z, type ZodTypeAny } from 'zod';
import type { DocumentIssue, DocumentPath } from './portal-document-error';

export type JsonSchemaType = 'object' | 'string' | 'number' | 'integer' | 'boolean' | 'array';

/** The shape of a converted schema, for checking payload paths (`from`) at load. */
export interface SchemaShape {
  type: JsonSchemaType;
  properties?: Readonly<Record<string, SchemaShape>>;
  items?: SchemaShape;
}

export interface ConvertedSchema {
  zod: ZodTypeAny;
  shape: SchemaShape;
}

const ANNOTATIONS = ['type', 'title', 'description'];
const KEYWORDS: Record<JsonSchemaType, readonly string[]> = {
  object: [...ANNOTATIONS, 'properties', 'required', 'additionalProperties'],
  string: [...ANNOTATIONS, 'minLength', 'maxLength', 'pattern', 'format', 'enum'],
  number: [...ANNOTATIONS, 'minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'enum'],
  integer: [...ANNOTATIONS, 'minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'enum'],
  boolean: ANNOTATIONS,
  array: [...ANNOTATIONS, 'items', 'minItems', 'maxItems'],
};
const FORMATS = ['date', 'date-time', 'email', 'uri'] as const;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Converts `node`; problems are added to `issues` (the result is then not to be used). */
export function jsonSchemaToZod(node: unknown, path: DocumentPath, issues: DocumentIssue[]): ConvertedSchema {
  const fail = (at: DocumentPath, reason: string): ConvertedSchema => {
    issues.push({ path: at, reason });
    return { zod: z.never(), shape: { type: 'object' } };
  };
  if (!isRecord(node)) return fail(path, 'a schema must be an object');
  const type = node.type;
  if (typeof type !== 'string' || !Object.hasOwn(KEYWORDS, type)) {
    return fail([...path, 'type'], `type must be one of ${Object.keys(KEYWORDS).join(', ')}`);
  }
  const schemaType = type as JsonSchemaType;
  for (const keyword of Object.keys(node)) {
    if (!KEYWORDS[schemaType].includes(keyword)) issues.push({ path: [...path, keyword], reason: `unsupported keyword for type ${schemaType}` });
  }
  const ctx = new Context(node, path, issues);
  switch (schemaType) {
    case 'object':
      return objectSchema(ctx);
    case 'string':
      return { zod: stringSchema(ctx), shape: { type: 'string' } };
    case 'number':
    case 'integer':
      return { zod: numberSchema(ctx, schemaType === 'integer'), shape: { type: schemaType } };
    case 'boolean':
      return { zod: z.boolean(), shape: { type: 'boolean' } };
    case 'array':
      return arraySchema(ctx);
  }
}

class Context {
  constructor(
    readonly node: Record<string, unknown>,
    readonly path: DocumentPath,
    readonly issues: DocumentIssue[],
  ) {}

  issue(keyword: string, reason: string): void {
    this.issues.push({ path: [...this.path, keyword], reason });
  }

  count(keyword: string): number | undefined {
    const value = this.node[keyword];
    if (value === undefined) return undefined;
    if (typeof value === 'number' && Number.isInteger(value) && value >= 0) return value;
    this.issue(keyword, 'must be a non-negative integer');
    return undefined;
  }

  number(keyword: string): number | undefined {
    const value = this.node[keyword];
    if (value === undefined) return undefined;
    if (typeof value === 'number' && Number.isFinite(value)) return value;
    this.issue(keyword, 'must be a number');
    return undefined;
  }

  enumOf<T>(guard: (value: unknown) => value is T, what: string): T[] | undefined {
    const value = this.node.enum;
    if (value === undefined) return undefined;
    if (Array.isArray(value) && value.length > 0 && value.every(guard)) return value;
    this.issue('enum', `must be a non-empty list of ${what}`);
    return undefined;
  }
}

function objectSchema(ctx: Context): ConvertedSchema {
  const { node, path } = ctx;
  const properties = node.properties ?? {};
  if (!isRecord(properties)) {
    ctx.issue('properties', 'must be an object of schemas');
    return { zod: z.never(), shape: { type: 'object' } };
  }
  const required = node.required ?? [];
  if (!Array.isArray(required) || !required.every((name) => typeof name === 'string')) ctx.issue('required', 'must be a list of property names');
  const requiredNames = Array.isArray(required) ? required.filter((name): name is string => typeof name === 'string') : [];
  requiredNames.forEach((name, i) => {
    if (!Object.hasOwn(properties, name)) ctx.issues.push({ path: [...path, 'required', i], reason: `${name} is not among the properties` });
  });
  const additional = node.additionalProperties ?? true;
  if (typeof additional !== 'boolean') ctx.issue('additionalProperties', 'must be true or false (schemas for extra properties are not supported)');

  const zodShape: Record<string, ZodTypeAny> = {};
  const shapes: Record<string, SchemaShape> = {};
  for (const [name, child] of Object.entries(properties)) {
    const converted = jsonSchemaToZod(child, [...path, 'properties', name], ctx.issues);
    zodShape[name] = requiredNames.includes(name) ? converted.zod : converted.zod.optional();
    shapes[name] = converted.shape;
  }
  const object = z.object(zodShape);
  return { zod: additional === false ? object.strict() : object.passthrough(), shape: { type: 'object', properties: shapes } };
}

function stringSchema(ctx: Context): ZodTypeAny {
  let schema = z.string();
  const min = ctx.count('minLength');
  const max = ctx.count('maxLength');
  if (min !== undefined) schema = schema.min(min);
  if (max !== undefined) schema = schema.max(max);
  const pattern = ctx.node.pattern;
  if (pattern !== undefined) {
    const regex = typeof pattern === 'string' ? compile(pattern) : undefined;
    if (regex) schema = schema.regex(regex, `must match ${pattern}`);
    else ctx.issue('pattern', 'must be a valid regular expression (JavaScript syntax, u flag)');
  }
  const format = ctx.node.format;
  if (format !== undefined && !FORMATS.includes(format as (typeof FORMATS)[number])) ctx.issue('format', `must be one of ${FORMATS.join(', ')}`);
  if (format === 'date-time') schema = schema.datetime({ offset: true });
  if (format === 'email') schema = schema.email();
  if (format === 'uri') schema = schema.url();
  const allowed = ctx.enumOf((value): value is string => typeof value === 'string', 'strings');
  let refined: ZodTypeAny = schema;
  if (format === 'date') refined = schema.refine(isIsoDate, 'must be a date (yyyy-mm-dd)');
  if (allowed) refined = refined.refine((value) => allowed.includes(value as string), `must be one of ${allowed.join(', ')}`);
  return refined;
}

function numberSchema(ctx: Context, integer: boolean): ZodTypeAny {
  let schema = integer ? z.number().int() : z.number();
  const minimum = ctx.number('minimum');
  const maximum = ctx.number('maximum');
  const exclusiveMinimum = ctx.number('exclusiveMinimum');
  const exclusiveMaximum = ctx.number('exclusiveMaximum');
  if (minimum !== undefined) schema = schema.gte(minimum);
  if (maximum !== undefined) schema = schema.lte(maximum);
  if (exclusiveMinimum !== undefined) schema = schema.gt(exclusiveMinimum);
  if (exclusiveMaximum !== undefined) schema = schema.lt(exclusiveMaximum);
  const allowed = ctx.enumOf((value): value is number => typeof value === 'number', 'numbers');
  return allowed ? schema.refine((value) => allowed.includes(value), `must be one of ${allowed.join(', ')}`) : schema;
}

function arraySchema(ctx: Context): ConvertedSchema {
  if (ctx.node.items === undefined) {
    ctx.issue('items', 'an array needs an items schema');
    return { zod: z.never(), shape: { type: 'array' } };
  }
  const items = jsonSchemaToZod(ctx.node.items, [...ctx.path, 'items'], ctx.issues);
  let schema = z.array(items.zod);
  const min = ctx.count('minItems');
  const max = ctx.count('maxItems');
  if (min !== undefined) schema = schema.min(min);
  if (max !== undefined) schema = schema.max(max);
  return { zod: schema, shape: { type: 'array', items: items.shape } };
}

function compile(pattern: string): RegExp | undefined {
  try {
    return new RegExp(pattern, 'u');
  } catch {
    return undefined;
  }
}

function isIsoDate(value: string): boolean {
  const match = ISO_DATE.exec(value);
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The shape at a dotted payload path, or undefined when the schema declares no such property. */
export function shapeAtPath(shape: SchemaShape, path: readonly string[]): SchemaShape | undefined {
  let current: SchemaShape | undefined = shape;
  for (const key of path) {
    current = current?.properties && Object.hasOwn(current.properties, key) ? current.properties[key] : undefined;
    if (!current) return undefined;
  }
  return current;
}
