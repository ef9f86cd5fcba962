import { canonicalJson } from './canonical-json';

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
