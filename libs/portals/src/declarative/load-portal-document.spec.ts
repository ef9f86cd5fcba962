import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { loadPortalAdapters } from '../adapter-loader';
import { AdapterLoadError } from '../errors';
import { validPayload, withChassis } from '../../test-support/payloads';
import { declarativePortalFromText, loadDeclarativePortal } from './load-portal-document';
import { PortalDocumentError } from './portal-document-error';

const SIM_YAML = resolve(__dirname, '../../../../portals/portal-sim.yaml');
const OPTIONS = { baseUrl: 'http://127.0.0.1:4100' };

/** The portal-sim twin as plain data, for tests that break one thing in it. */
function simDocument(): Record<string, unknown> {
  return parseYaml(readFileSync(SIM_YAML, 'utf8')) as Record<string, unknown>;
}

function refusal(document: unknown, options: Record<string, unknown> = OPTIONS): PortalDocumentError {
  try {
    declarativePortalFromText('portals/broken.json', JSON.stringify(document), options);
  } catch (error) {
    if (error instanceof PortalDocumentError) return error;
    throw error;
  }
  throw new Error('the document loaded');
}

type Key = string | number;

/** A fresh copy of the portal-sim document with the value at each path replaced (undefined deletes it). */
function changed(...edits: ReadonlyArray<[path: readonly Key[], value: unknown]>): Record<string, unknown> {
  const doc = simDocument();
  for (const [path, value] of edits) {
    const parent = path.slice(0, -1).reduce<Record<Key, unknown>>((node, key) => node[key] as Record<Key, unknown>, doc);
    const last = path[path.length - 1];
    if (value === undefined) delete parent[last];
    else parent[last] = value;
  }
  return doc;
}

describe('declarative portal documents', () => {
  it('loads the portal-sim twin: id, origin from the options, steps, probe markers', () => {
    const adapter = loadDeclarativePortal(SIM_YAML, OPTIONS);
    expect(adapter.id).toBe('portal-sim-yaml');
    expect(adapter.origin).toBe('http://127.0.0.1:4100');
    expect(adapter.fillSteps).toEqual(['vehicle', 'customer', 'quote']);
    expect(adapter.selectors).toMatchObject({ loginForm: '#txtUserName', loggedIn: '#divMainMotors' });
    expect(adapter.selectors.loginUrlPatterns?.[0].test('/login.aspx')).toBe(true);
  });

  it('validates payloads with the converted schema and derives the business key', () => {
    const adapter = loadDeclarativePortal(SIM_YAML, OPTIONS);
    expect(adapter.payloadSchema.safeParse(validPayload).success).toBe(true);
    expect(adapter.payloadSchema.safeParse(withChassis('SHORT')).success).toBe(false);
    expect(adapter.payloadSchema.safeParse({ ...validPayload, extra: 1 }).success).toBe(false);
    expect(adapter.businessKey(validPayload)).toBe('JT2BF22K1W0123456');
  });

  it('is loaded through PORTALS from a .yaml path, and a .json file of the same document loads alike', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'declarative-'));
    try {
      const json = join(dir, 'portal-sim.json');
      await writeFile(json, JSON.stringify({ ...simDocument(), id: 'portal-sim-json' }));
      const adapters = loadPortalAdapters([{ path: 'portals/portal-sim.yaml', options: OPTIONS }, { path: json, options: OPTIONS }], resolve(__dirname, '../../../..'));
      expect(adapters.map((a) => a.id)).toEqual(['portal-sim-yaml', 'portal-sim-json']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('refuses to load with the file, the path in the document and the reason', () => {
    const error = refusal(changed([['steps', 2, 'actions', 0], { fill: { selector: '#x', from: 'vehicle.colour' } }]));
    expect(error).toBeInstanceOf(AdapterLoadError);
    expect(error.code).toBe('ADAPTER_INVALID');
    expect(error.documentPath).toBe('steps[2].actions[0].fill.from');
    expect(error.message).toContain('portals/broken.json');
    expect(error.message).toContain('steps[2].actions[0].fill.from: payload has no property vehicle.colour');
    expect(error.details).toMatchObject({ path: 'portals/broken.json' });
  });

  it('names an option the file needs and PORTALS does not give', () => {
    expect(refusal(simDocument(), {}).issues).toEqual([{ path: 'origin', reason: expect.stringContaining('option baseUrl is not given') }]);
  });

  it.each([
    ['an unknown key', [['session', 'probeURL'], '/x'], 'session.probeURL', 'unknown key'],
    ['a missing key', [['lookup', 'rows'], undefined], 'lookup.rows', 'is required'],
    ['an action with two kinds', [['steps', 0, 'actions', 0, 'click'], '#x'], 'steps[0].actions[0]', 'an action has exactly one of'],
    ['an unknown action', [['steps', 0, 'actions', 1], { type: { selector: '#x' } }], 'steps[0].actions[1].type', 'unknown key'],
    ['a fill with neither from nor value', [['steps', 1, 'actions', 0], { fill: { selector: '#x' } }], 'steps[1].actions[0].fill', 'exactly one of from and value'],
    ['a check of a string', [['steps', 1, 'actions', 0], { check: { selector: '#x', from: 'customer.email' } }], 'steps[1].actions[0].check.from', 'is string; check needs boolean'],
    ['an upload of a string', [['steps', 1, 'actions', 0], { upload: { selector: '#x', from: 'customer.email' } }], 'steps[1].actions[0].upload.from', 'name and base64'],
    ['a bad URL pattern', [['session', 'loggedOut', 'url'], '^/Login(\\.aspx'], 'session.loggedOut.url', 'not a valid regular expression'],
    ['a payload value where only the business key is known', [['lookup', 'url'], '/Search.aspx?q=${payload.vehicle.make}'], 'lookup.url', 'is not available here'],
    ['credentials outside the login fields', [['steps', 0, 'actions', 0], { goto: '/x?u=${credentials.username}' }], 'steps[0].actions[0].goto', 'is not available here'],
    ['an unknown variable', [['businessKey'], '${env.HOME}'], 'businessKey', 'not a known variable'],
    ['a substitution in a selector', [['login', 'submit'], '#${payload.vehicle.make}'], 'login.submit', 'no ${…} substitution here'],
    ['a JSON Schema keyword outside the subset', [['payload', 'properties', 'vehicle', 'properties', 'make', 'oneOf'], []], 'payload.properties.vehicle.properties.make.oneOf', 'unsupported keyword'],
    ['a step name used twice', [['steps', 2, 'name'], 'vehicle'], 'steps[2].name', 'used twice'],
    ['a portal id with capitals', [['id'], 'Portal'], 'id', 'lowercase'],
    ['a click that checks a URL without navigating', [['steps', 0, 'actions', 6, 'click', 'navigates'], false], 'steps[0].actions[6].click.expectUrl', 'needs navigates: true'],
  ] as Array<[string, [Key[], unknown], string, string]>)('refuses %s', (_what, edit, path, reason) => {
    const error = refusal(changed(edit));
    expect(error.issues).toContainEqual({ path, reason: expect.stringContaining(reason) });
  });

  it('reports every problem at once', () => {
    const error = refusal(
      changed([['login', 'url'], 42], [['steps', 0, 'actions', 1, 'select', 'from'], 'vehicle.nope']),
    );
    expect(error.issues.map((i) => i.path)).toEqual(expect.arrayContaining(['login.url', 'steps[0].actions[1].select.from']));
  });

  it('refuses a file that is not YAML, naming the line', () => {
    expect(() => declarativePortalFromText('portals/bad.yaml', 'id: a\n  b: [', OPTIONS)).toThrow(/portals\/bad\.yaml: \(document\): not valid YAML: .*line/);
  });

  it('refuses a file that cannot be read, with its path', () => {
    expect(() => loadPortalAdapters(['./portals/does-not-exist.yaml'], '/nowhere')).toThrow(AdapterLoadError);
    expect(() => loadPortalAdapters(['./portals/does-not-exist.yaml'], '/nowhere')).toThrow('/nowhere/portals/does-not-exist.yaml');
  });
});
