import fc from 'fast-check';
import { canonicalJson, canonicalize } from './canonical-json';

describe('canonicalJson', () => {
  it('sorts keys at every depth and drops undefined like JSON', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: undefined }], c: 'x' }, u: undefined })).toBe('{"a":{"c":"x","d":[3,{"z":1}]},"b":1}');
  });

  it('agrees with JSON.stringify on primitives, unicode, arrays with holes and dates', () => {
    const samples: unknown[] = ['é"\\\n😀\u202e', 0, -1.5e-7, true, null, [undefined, () => 1], new Date(0), { n: NaN, i: Infinity }];
    for (const s of samples) expect(JSON.parse(canonicalJson(s))).toEqual(JSON.parse(JSON.stringify(s)));
  });

  it('is independent of insertion order', () => {
    expect(canonicalJson({ x: 1, y: 2 })).toBe(canonicalJson({ y: 2, x: 1 }));
  });
});

describe('canonicalize', () => {
  // JSON values plus what JSON turns into something else: undefined, dates, non-finite numbers, -0,
  // functions, keys that V8 lists first (digits) and the __proto__ key.
  const { value: anything } = fc.letrec((tie) => ({
    value: fc.oneof(
      { depthSize: 'small' },
      fc.jsonValue({ maxDepth: 2 }),
      fc.constantFrom(undefined, NaN, -Infinity, -0, () => 1, new Date(0), '\u202e😀'),
      fc.array(tie('value'), { maxLength: 4 }),
      fc.dictionary(fc.oneof(fc.string(), fc.constantFrom('0', '10', '9', '01', '__proto__', '1a')), tie('value'), { maxKeys: 5 }),
    ),
  }));

  it('gives canonicalJson as its text and what that text parses to as its value', () => {
    fc.assert(
      fc.property(anything, (value) => {
        const { text, value: copy } = canonicalize(value);
        expect(text).toBe(canonicalJson(value));
        expect(copy).toEqual(JSON.parse(canonicalJson(value)));
        expect(JSON.stringify(copy)).toBe(JSON.stringify(JSON.parse(text)));
      }),
      { numRuns: 1000 },
    );
  });

  it('copies: the value it returns shares nothing with its input', () => {
    const input = { b: { list: [1, { x: 2 }] }, a: new Date(0), u: undefined };
    const { value, text } = canonicalize(input);
    expect(text).toBe('{"a":"1970-01-01T00:00:00.000Z","b":{"list":[1,{"x":2}]}}');
    input.b.list.push(3);
    expect(value).toEqual({ a: '1970-01-01T00:00:00.000Z', b: { list: [1, { x: 2 }] } });
    expect(Object.keys(value)).toEqual(['a', 'b']);
  });

  it('refuses BigInt as canonicalJson does', () => {
    expect(() => canonicalize({ n: BigInt(1) })).toThrow(TypeError);
  });
});
