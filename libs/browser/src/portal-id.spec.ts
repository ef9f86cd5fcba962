import { ValidationError } from '@engine/core';
import { assertPortalId } from './portal-id';
import { insideRoot } from './safe-path';
import { UnsafePathError } from './errors';

describe('assertPortalId', () => {
  it.each(['portal-sim', 'acme', 'a1', 'x'])('accepts %s', (id) => {
    expect(assertPortalId(id)).toBe(id);
  });

  it.each(['', '../etc', 'Portal', 'a/b', 'a..b', '-lead', 'trail-', 'a'.repeat(65), 'sp ace'])('rejects %j', (id) => {
    expect(() => assertPortalId(id)).toThrow(ValidationError);
  });
});

describe('insideRoot', () => {
  it('joins paths inside the root', () => {
    expect(insideRoot('/data/artifacts', 'html', 'x.html')).toBe('/data/artifacts/html/x.html');
  });

  it.each([['..', 'etc'], ['/etc/passwd'], ['html/../../x'], ['.']])('refuses %j', (...segments) => {
    expect(() => insideRoot('/data/artifacts', ...segments)).toThrow(UnsafePathError);
  });
});
