import { join } from 'node:path';
import { AdapterLoadError } from './errors';
import { loadPortalAdapters } from './adapter-loader';

const adapters = join(__dirname, '..', 'test-support', 'adapters');

function loadError(specs: Parameters<typeof loadPortalAdapters>[0]): AdapterLoadError {
  try {
    loadPortalAdapters(specs, adapters);
  } catch (error) {
    if (error instanceof AdapterLoadError) return error;
    throw error;
  }
  throw new Error('expected an AdapterLoadError');
}

describe('loadPortalAdapters', () => {
  it('loads a createAdapter(options) module and a default-export module, relative to the base dir', () => {
    const loaded = loadPortalAdapters([{ path: 'valid-adapter.js', options: { baseUrl: 'https://acme.example' } }, 'default-export-adapter.js'], adapters);
    expect(loaded.map((a) => [a.id, a.origin])).toEqual([
      ['acme-motor', 'https://acme.example'],
      ['other-portal', 'https://other.example'],
    ]);
    expect(loaded[0].businessKey({ policyNo: 'P-1' })).toBe('P-1');
    expect(loaded[0].payloadSchema.safeParse({ policyNo: 1 }).success).toBe(false);
  });

  it('names the path and every shape problem of an invalid adapter', () => {
    const error = loadError(['broken-shape-adapter.js']);
    expect(error.code).toBe('ADAPTER_INVALID');
    expect(error.path).toBe(join(adapters, 'broken-shape-adapter.js'));
    for (const problem of ['id must be', 'origin must be', 'payloadSchema', 'selectors need a logged-in marker', 'loginUrlPatterns', 'fillSteps', 'probe must be a function']) {
      expect(error.message).toContain(problem);
    }
  });

  it.each([
    ['throwing-adapter.js', 'could not be loaded'],
    ['missing-adapter.js', 'could not be loaded'],
    ['no-adapter.js', 'exports neither'],
  ])('fails clearly for %s', (path, reason) => {
    const error = loadError([path]);
    expect(error.path).toBe(join(adapters, path));
    expect(error.message).toContain(join(adapters, path));
    expect(error.details.reason).toContain(reason);
  });

  it('refuses two adapters with the same portal id', () => {
    const spec = { path: 'valid-adapter.js', options: { baseUrl: 'https://acme.example' } };
    expect(loadError([spec, spec]).details.reason).toContain('acme-motor');
  });
});
