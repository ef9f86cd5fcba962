import { jsonSchemaToZod, shapeAtPath } from './json-schema-to-zod';
import { formatDocumentPath, type DocumentIssue } from './portal-document-error';

function convert(schema: unknown) {
  const issues: DocumentIssue[] = [];
  const converted = jsonSchemaToZod(schema, ['payload'], issues);
  return { ...converted, issues: issues.map((i) => `${formatDocumentPath(i.path)}: ${i.reason}`) };
}

function accepts(schema: unknown, value: unknown): boolean {
  const { zod, issues } = convert(schema);
  expect(issues).toEqual([]);
  return zod.safeParse(value).success;
}

describe('jsonSchemaToZod', () => {
  it('requires the required properties and makes the others optional', () => {
    const schema = { type: 'object', required: ['a'], properties: { a: { type: 'string' }, b: { type: 'string' } } };
    expect(accepts(schema, { a: 'x' })).toBe(true);
    expect(accepts(schema, { b: 'x' })).toBe(false);
  });

  it('allows extra properties unless additionalProperties is false, as JSON Schema does', () => {
    const open = { type: 'object', properties: { a: { type: 'string' } } };
    expect(accepts(open, { a: 'x', extra: 1 })).toBe(true);
    expect(convert(open).zod.parse({ a: 'x', extra: 1 })).toEqual({ a: 'x', extra: 1 });
    expect(accepts({ ...open, additionalProperties: false }, { a: 'x', extra: 1 })).toBe(false);
  });

  it('checks string lengths, unicode patterns and enums', () => {
    expect(accepts({ type: 'string', minLength: 2, maxLength: 3 }, 'a')).toBe(false);
    expect(accepts({ type: 'string', minLength: 2, maxLength: 3 }, 'abcd')).toBe(false);
    expect(accepts({ type: 'string', minLength: 2, maxLength: 3 }, 'abc')).toBe(true);
    expect(accepts({ type: 'string', pattern: '^\\p{L}+$' }, 'Åsa')).toBe(true);
    expect(accepts({ type: 'string', pattern: '^\\p{L}+$' }, 'A1')).toBe(false);
    expect(accepts({ type: 'string', enum: ['red', 'blue'] }, 'blue')).toBe(true);
    expect(accepts({ type: 'string', enum: ['red', 'blue'] }, 'green')).toBe(false);
  });

  it('checks formats: a real calendar date, an e-mail address, a date-time, a URI', () => {
    expect(accepts({ type: 'string', format: 'date' }, '2024-02-29')).toBe(true);
    expect(accepts({ type: 'string', format: 'date' }, '2023-02-29')).toBe(false);
    expect(accepts({ type: 'string', format: 'date' }, '29/02/2024')).toBe(false);
    expect(accepts({ type: 'string', format: 'email' }, 'asha@example.com')).toBe(true);
    expect(accepts({ type: 'string', format: 'email' }, 'asha')).toBe(false);
    expect(accepts({ type: 'string', format: 'date-time' }, '2024-01-02T03:04:05Z')).toBe(true);
    expect(accepts({ type: 'string', format: 'uri' }, 'not a uri')).toBe(false);
  });

  it('checks numbers and integers against their bounds', () => {
    const range = { type: 'number', minimum: 1, maximum: 2, exclusiveMaximum: 2 };
    expect(accepts(range, 1)).toBe(true);
    expect(accepts(range, 1.5)).toBe(true);
    expect(accepts(range, 2)).toBe(false);
    expect(accepts(range, 0)).toBe(false);
    expect(accepts({ type: 'integer', exclusiveMinimum: 0 }, 1)).toBe(true);
    expect(accepts({ type: 'integer', exclusiveMinimum: 0 }, 1.5)).toBe(false);
    expect(accepts({ type: 'integer', exclusiveMinimum: 0 }, 0)).toBe(false);
    expect(accepts({ type: 'number' }, '1')).toBe(false);
  });

  it('checks booleans and arrays with their item schema and sizes', () => {
    expect(accepts({ type: 'boolean' }, true)).toBe(true);
    expect(accepts({ type: 'boolean' }, 'true')).toBe(false);
    const list = { type: 'array', items: { type: 'integer' }, minItems: 1, maxItems: 2 };
    expect(accepts(list, [1, 2])).toBe(true);
    expect(accepts(list, [])).toBe(false);
    expect(accepts(list, [1, 2, 3])).toBe(false);
    expect(accepts(list, [1.5])).toBe(false);
  });

  it('refuses unsupported keywords and bad values, each with its path', () => {
    const { issues } = convert({
      type: 'object',
      required: ['a', 'missing'],
      additionalProperties: { type: 'string' },
      properties: {
        a: { type: 'string', oneOf: [], pattern: '(' },
        b: { type: ['string', 'null'] },
        c: { type: 'number', minimum: 'one' },
        d: { type: 'array' },
        e: { type: 'string', format: 'phone' },
        f: { type: 'integer', enum: [] },
      },
    });
    expect(issues).toEqual([
      'payload.required[1]: missing is not among the properties',
      'payload.additionalProperties: must be true or false (schemas for extra properties are not supported)',
      'payload.properties.a.oneOf: unsupported keyword for type string',
      'payload.properties.a.pattern: must be a valid regular expression (JavaScript syntax, u flag)',
      'payload.properties.b.type: type must be one of object, string, number, integer, boolean, array',
      'payload.properties.c.minimum: must be a number',
      'payload.properties.d.items: an array needs an items schema',
      'payload.properties.e.format: must be one of date, date-time, email, uri',
      'payload.properties.f.enum: must be a non-empty list of numbers',
    ]);
  });

  it('refuses a keyword that belongs to another type', () => {
    expect(convert({ type: 'string', minimum: 1 }).issues).toEqual(['payload.minimum: unsupported keyword for type string']);
  });

  it('gives the shape at a payload path, for checking references at load', () => {
    const { shape } = convert({ type: 'object', properties: { vehicle: { type: 'object', properties: { chassisNo: { type: 'string' } } } } });
    expect(shapeAtPath(shape, ['vehicle', 'chassisNo'])).toEqual({ type: 'string' });
    expect(shapeAtPath(shape, ['vehicle', 'colour'])).toBeUndefined();
    expect(shapeAtPath(shape, ['vehicle', 'chassisNo', 'length'])).toBeUndefined();
  });
});
