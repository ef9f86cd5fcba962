// The config file and the environment over it: every key checked against the schema, refusals
// naming the place, the value and the rule, a portal's own settings over the global ones, and
// nothing that may be a secret repeated in a refusal.
import { loadSettings } from './load-settings';

const files: Record<string, string> = {};
const readFile = (path: string): string => {
  if (!(path in files)) throw Object.assign(new Error('missing'), { code: 'ENOENT' });
  return files[path];
};
const load = (env: NodeJS.ProcessEnv) => {
  const fields: Record<string, string> = {};
  const loaded = loadSettings(env, fields, readFile);
  return { loaded, fields };
};

describe('settings from a config file and the environment', () => {
  files['/etc/engine/engine.yaml'] = [
    'server: { port: 8080 }',
    'jobs:',
    '  concurrency: 6',
    '  maxAttempts: 4',
    'browser: { locale: de-DE }',
    'portals:',
    '  - adapter: portal-sim',
    '    credentialsRef: secret://sim/login',
    '    settings:',
    '      jobs: { maxAttempts: 7 }',
    '      browser: { timezone: Europe/Berlin }',
    '  - adapter: portal-sim',
    '    credentialsRef: secret://sim2/login',
  ].join('\n');
  files['/etc/engine/engine.json'] = JSON.stringify({ jobs: { concurrency: 2 } });

  it('reads YAML and JSON files, the environment winning over the file, defaults for the rest', () => {
    const { loaded, fields } = load({ ENGINE_CONFIG: '/etc/engine/engine.yaml', CONCURRENCY: '9' });
    expect(fields).toEqual({});
    expect(loaded.values['server.port']).toBe(8080);
    expect(loaded.values['jobs.concurrency']).toBe(9);
    expect(loaded.values['jobs.maxAttempts']).toBe(4);
    expect(loaded.values['jobs.lookupRetries']).toBe(3);
    expect(loaded.sources).toMatchObject({ 'server.port': 'file', 'jobs.concurrency': 'env', 'jobs.lookupRetries': 'default' });
    expect(load({ ENGINE_CONFIG: '/etc/engine/engine.json' }).loaded.values['jobs.concurrency']).toBe(2);
  });

  it("gives each portal its own settings over the global ones, and the global ones where it sets none", () => {
    const { loaded } = load({ ENGINE_CONFIG: '/etc/engine/engine.yaml' });
    const [first, second] = loaded.portals;
    expect(first.settings['jobs.maxAttempts']).toBe(7);
    expect(first.settings['browser.timezone']).toBe('Europe/Berlin');
    expect(first.settings['browser.locale']).toBe('de-DE');
    expect(first.overridden.sort()).toEqual(['browser.timezone', 'jobs.maxAttempts']);
    expect(second.settings['jobs.maxAttempts']).toBe(4);
    expect(second.overridden).toEqual([]);
    expect(loaded.portals.map((p) => p.raw.credentialsRef)).toEqual(['secret://sim/login', 'secret://sim2/login']);
  });

  it('lets PORTALS replace the file\'s portals', () => {
    const { loaded } = load({ ENGINE_CONFIG: '/etc/engine/engine.yaml', PORTALS: JSON.stringify([{ adapter: 'portal-sim', credentialsRef: 'secret://env/login' }]) });
    expect(loaded.portals.map((p) => p.raw.credentialsRef)).toEqual(['secret://env/login']);
    expect(loaded.portalsFrom).toBe('PORTALS');
  });

  it('refuses a bad value naming the place, the value and the rule, wherever it was set', () => {
    files['/bad.yaml'] = 'jobs: { maxAttempts: 0, cloneStrategy: fork }\nhealth: { maxMisses: two }\n';
    expect(load({ ENGINE_CONFIG: '/bad.yaml' }).fields).toEqual({
      'jobs.maxAttempts': 'must be an integer 1..100, not 0',
      'jobs.cloneStrategy': 'must be context or profile-copy, not "fork"',
      'health.maxMisses': 'must be an integer 1..100, not "two"',
    });
    expect(load({ JOB_MAX_ATTEMPTS: '0' }).fields).toEqual({ JOB_MAX_ATTEMPTS: 'must be an integer 1..100, not 0' });
  });

  it('refuses misspelt keys and sections instead of ignoring them', () => {
    files['/typo.yaml'] = 'jobs: { maxAttempt: 5 }\njob: { concurrency: 2 }\n';
    const { fields } = load({ ENGINE_CONFIG: '/typo.yaml' });
    expect(fields['jobs.maxAttempt']).toMatch(/^unknown setting \(known in jobs: concurrency, .*\bmaxAttempts\b/);
    expect(fields.job).toMatch(/^unknown section/);
  });

  it('refuses a server-wide setting in a portal\'s settings, and a bad portal value by its place', () => {
    const env = { PORTALS: JSON.stringify([{ adapter: 'portal-sim', credentialsRef: 'secret://x', settings: { jobs: { concurrency: 2, maxAttempts: 500 } } }]) };
    expect(load(env).fields).toEqual({
      'portals[0].settings.jobs.concurrency': 'cannot be set per portal (a server-wide setting)',
      'portals[0].settings.jobs.maxAttempts': 'must be an integer 1..100, not 500',
    });
  });

  it('names an unreadable or unparsable file and a file of the wrong kind', () => {
    expect(load({ ENGINE_CONFIG: '/nowhere.yaml' }).fields.ENGINE_CONFIG).toBe('cannot read /nowhere.yaml (ENOENT)');
    files['/broken.json'] = '{ "jobs": ';
    expect(load({ ENGINE_CONFIG: '/broken.json' }).fields.ENGINE_CONFIG).toMatch(/^\/broken\.json is not valid JSON: /);
    files['/list.yaml'] = '- a\n- b\n';
    expect(load({ ENGINE_CONFIG: '/list.yaml' }).fields.ENGINE_CONFIG).toBe('/list.yaml must hold a mapping of sections (server, jobs, …, portals)');
    expect(load({ ENGINE_CONFIG: '/engine.toml' }).fields.ENGINE_CONFIG).toBe('must name a .json, .yaml or .yml file, not /engine.toml');
  });

  it('never repeats a value that may hold a secret', () => {
    files['/secret.yaml'] = 'server: { apiToken: short-t0ken }\nbrowser: { remoteEndpoint: "http://farm.internal/?token=s3cr3t-farm" }\nartifacts: { s3Endpoint: "http://key:s3cr3t-key@127.0.0.1:9000" }\n';
    const { fields } = load({ ENGINE_CONFIG: '/secret.yaml', BROWSER_PROXY: 'http://user:s3cr3t-proxy@proxy.internal:3128' });
    expect(Object.keys(fields).sort()).toEqual(['BROWSER_PROXY', 'artifacts.s3Endpoint', 'browser.remoteEndpoint', 'server.apiToken']);
    const text = JSON.stringify(fields);
    for (const secret of ['short-t0ken', 's3cr3t-farm', 's3cr3t-key', 's3cr3t-proxy']) expect(text).not.toContain(secret);
    expect(fields.BROWSER_PROXY).toBe('must not carry credentials: set browser.proxyCredentialsRef (value not shown: it may hold a secret)');
  });
});
