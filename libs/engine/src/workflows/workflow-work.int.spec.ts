// Workflows that do real work, against the portal simulator and real Chromium (one engine, one
// worker browser): scripted steps in the declarative portal vocabulary log a workflow in with a
// secret reference and extract values, the password never coming back or reaching the log; a
// failing step is named; a download lands in the folder, is listed and read back, one over the
// cap is refused leaving nothing; a screenshot is listed; two workflows at once see neither each
// other's cookies nor files; a deleted workflow's sid is used again with its old stream intact.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EngineError, InvalidCommandError, MemorySecretProvider, NotFoundError, ValidationError } from '@engine/core';
import { MemoryEventStore } from '@engine/event-store';
import { startPortalSim, type PortalSim } from '@engine/portal-sim';
import { ScriptedStepFailedError } from '@engine/portals';
import { createEngine, type Engine } from '../engine';
import { DownloadTooLargeError } from './page-download';

jest.setTimeout(120_000);

const PASSWORD = 'Secr3t!pass';
const REF = 'secret://portal-sim/agent';
const MAX_DOWNLOAD = 300; // /api/models (about 100 bytes) fits, /Content/site.css (551) does not

let root: string;
let dataDir: string;
let sim: PortalSim;
let engine: Engine;
let store: MemoryEventStore;

const userFiles = (sid: string) => readdirSync(join(dataDir, 'workflows', sid)).filter((f) => !f.startsWith('.')).sort();

/** Opens the login page and reads the captcha's id: the first of two runs, as a client would do it. */
async function openLogin(sid: string): Promise<string> {
  const result = await engine.workflows.runSteps(sid, {
    origin: sim.url,
    steps: [{ name: 'open login', actions: [{ goto: '/Login.aspx' }], extract: { captchaId: { selector: '#hdnCaptchaId', attribute: 'value' } } }],
  });
  return result.steps[0].extracted.captchaId;
}

async function logIn(sid: string): Promise<void> {
  const captchaId = await openLogin(sid);
  await engine.workflows.runSteps(sid, {
    credentialsRef: REF,
    values: { captcha: sim.captchaAnswer(captchaId) },
    steps: [
      {
        name: 'log in',
        actions: [
          { fill: { selector: '#txtUserName', value: '${credentials.username}' } },
          { fill: { selector: '#txtPassword', value: '${credentials.password}' } },
          { fill: { selector: '#txtCaptcha', from: 'captcha' } },
          { click: { selector: '#btnLogin', navigates: true, expectUrl: '^/Dashboard\\.aspx' } },
        ],
      },
    ],
  });
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'workflow-work-'));
  dataDir = join(root, 'data');
  mkdirSync(join(root, 'chromium'));
  sim = await startPortalSim({ testHooks: true, seed: 5 });
  store = new MemoryEventStore();
  engine = createEngine({
    store,
    dataDir,
    secrets: new MemorySecretProvider().set(REF, { username: 'agent', password: PASSWORD }),
    browser: { tempDir: join(root, 'chromium'), closeTimeoutMs: 3_000 },
    workflows: { maxDownloadBytes: MAX_DOWNLOAD },
  });
  await engine.start();
});

afterAll(async () => {
  await engine?.stop().catch(() => undefined);
  await sim?.close();
  rmSync(root, { recursive: true, force: true });
});

describe('scripted steps', () => {
  beforeAll(async () => {
    await engine.workflows.create('steps');
  });

  it('run in the workflow page across calls, log in with a secret reference and extract what the page shows', async () => {
    const captchaId = await openLogin('steps');
    expect(captchaId).toMatch(/\S/);
    const result = await engine.workflows.runSteps('steps', {
      credentialsRef: REF,
      values: { captcha: sim.captchaAnswer(captchaId) },
      steps: [
        {
          name: 'log in',
          actions: [
            { fill: { selector: '#txtUserName', value: '${credentials.username}' } },
            { fill: { selector: '#txtPassword', value: '${credentials.password}' } },
            { fill: { selector: '#txtCaptcha', from: 'captcha' } },
            { click: { selector: '#btnLogin', navigates: true, expectUrl: '^/Dashboard\\.aspx' } },
          ],
          extract: { user: { selector: '#lblUserName' }, motors: { selector: '#lnkMotors', attribute: 'href' } },
        },
      ],
    });
    expect(result).toEqual({ sid: 'steps', steps: [{ index: 0, name: 'log in', page: '/Dashboard.aspx', extracted: { user: 'agent', motors: '/Proposal/Vehicle.aspx' } }] });
  });

  it('never hand back the password: an extracted field holding it is withheld, and no event carries it', async () => {
    const result = await engine.workflows.runSteps('steps', {
      credentialsRef: REF,
      steps: [
        { name: 'login page', actions: [{ goto: `${sim.url}/Login.aspx` }] },
        { name: 'type', actions: [{ fill: { selector: '#txtPassword', value: '${credentials.password}' } }], extract: { typed: { selector: '#txtPassword', attribute: 'value' } } },
      ],
    });
    expect(result.steps[1].extracted).toEqual({ typed: '[withheld]' });
    expect(JSON.stringify(result)).not.toContain(PASSWORD);
    expect(JSON.stringify(await store.readAll())).not.toContain(PASSWORD);
  });

  it('a failing step is named with its index and code; the steps before it are reported done', async () => {
    const run = engine.workflows.runSteps('steps', {
      origin: sim.url,
      steps: [
        { name: 'login page', actions: [{ goto: '/Login.aspx' }] },
        { name: 'missing button', actions: [{ click: '#noSuchButton' }] },
        { name: 'never run', actions: [{ goto: '/Login.aspx' }] },
      ],
    });
    await expect(run).rejects.toBeInstanceOf(ScriptedStepFailedError);
    const error = (await run.catch((e: unknown) => e)) as ScriptedStepFailedError;
    expect(error.code).toBe('STEP_FAILED');
    expect(error.step).toMatchObject({ index: 1, name: 'missing button', code: 'UNEXPECTED_PAGE' });
    expect(error.completed.map((s) => s.name)).toEqual(['login page']);
  });

  it('refuse a bad request before anything runs and append nothing', async () => {
    const before = (await store.readAll()).length;
    const refused = async (body: unknown) => (await engine.workflows.runSteps('steps', body).catch((e: unknown) => e)) as ValidationError;
    const fromMissing = await refused({ values: { a: 'x' }, steps: [{ name: 's', actions: [{ fill: { selector: '#x', from: 'b' } }] }] });
    expect(fromMissing).toBeInstanceOf(ValidationError);
    expect(fromMissing.fields).toEqual({ 'steps[0].actions[0].fill.from': 'payload has no property b' });
    const secretWithoutRef = await refused({ steps: [{ name: 's', actions: [{ fill: { selector: '#x', value: '${credentials.password}' } }] }] });
    expect(secretWithoutRef.fields['steps[0].actions[0].fill.value']).toMatch(/not available here/);
    expect((await refused({ steps: [{ name: 's', actions: [{ eval: 'alert(1)' }] }] })).fields).toHaveProperty(['steps[0].actions[0]']);
    expect((await refused({ steps: [], extra: 1 })).fields).toMatchObject({ steps: 'at least one step', extra: 'unknown field' });
    expect((await refused({ credentialsRef: 'secret://nobody', steps: [{ name: 's', actions: [{ goto: '/' }] }] })).fields).toEqual({ credentialsRef: 'no secret has this reference' });
    expect((await store.readAll()).length).toBe(before);
  });
});

describe('downloads, screenshots and files', () => {
  beforeAll(async () => {
    await engine.workflows.create('files');
    await logIn('files');
  });

  it("a download fetched by the page (with the workflow's cookies) lands in the folder, is listed and read back", async () => {
    const view = await engine.workflows.download('files', { url: '/api/models?make=Toyota', name: 'models.json' });
    expect(view.files).toEqual([{ name: 'models.json', size: expect.any(Number), kind: 'download', uploadedAt: expect.any(String) }]);
    const file = await engine.workflows.file('files', 'models.json');
    // The protected JSON, not the login page: the page's session went with the fetch.
    expect(JSON.parse(file.bytes.toString('utf8'))).toEqual(expect.arrayContaining([expect.objectContaining({ value: expect.any(String) })]));
    expect(file.size).toBe(file.bytes.length);
    expect(userFiles('files')).toEqual(['models.json']);
  });

  it("downloads a link's target by selector", async () => {
    await engine.workflows.runSteps('files', { steps: [{ name: 'dashboard', actions: [{ goto: '/Dashboard.aspx' }] }] });
    await expect(engine.workflows.download('files', { selector: '#lnkMotors', name: 'vehicle.html' })).rejects.toBeInstanceOf(DownloadTooLargeError);
    const view = await engine.workflows.download('files', { selector: '#noSuchLink', name: 'x.bin' }).catch((e: EngineError) => e);
    expect(view).toMatchObject({ code: 'DOWNLOAD_FAILED', details: { reason: 'no_link' } });
  });

  it('a download over the cap is refused and leaves neither a file nor an event', async () => {
    const before = (await store.readAll()).length;
    const refused = await engine.workflows.download('files', { url: '/Content/site.css', name: 'site.css' }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(DownloadTooLargeError);
    expect(userFiles('files')).toEqual(['models.json']);
    expect(readdirSync(join(dataDir, 'workflows', 'files')).filter((f) => f.startsWith('.upload-'))).toEqual([]);
    expect((await engine.workflows.files('files')).map((f) => f.name)).toEqual(['models.json']);
    expect((await store.readAll()).length).toBe(before);
  });

  it("refuses a URL off the page's origin (400), nothing fetched", async () => {
    const refused = (await engine.workflows.download('files', { url: 'http://127.0.0.1:9/x', name: 'x.bin' }).catch((e: unknown) => e)) as ValidationError;
    expect(refused).toBeInstanceOf(ValidationError);
    expect(refused.fields).toEqual({ url: "must be on the page's origin" });
    expect(((await engine.workflows.download('files', { url: '/x', selector: 'a', name: 'x' }).catch((e: unknown) => e)) as ValidationError).fields).toHaveProperty('url');
  });

  it('a screenshot is stored as a PNG and listed with the other files', async () => {
    const view = await engine.workflows.screenshot('files', { name: 'dashboard.png' });
    expect(view.files.map((f) => [f.name, f.kind])).toEqual([
      ['models.json', 'download'],
      ['dashboard.png', 'screenshot'],
    ]);
    const png = await engine.workflows.file('files', 'dashboard.png');
    expect(png.bytes.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
    const unnamed = await engine.workflows.screenshot('files', {});
    expect(unnamed.files[2]).toMatchObject({ name: expect.stringMatching(/^screenshot-\d{8}T\d{9}Z\.png$/), kind: 'screenshot' });
  });

  it('reads back recorded files only, by a safe name', async () => {
    await expect(engine.workflows.file('files', 'nothing.txt')).rejects.toBeInstanceOf(NotFoundError);
    await expect(engine.workflows.file('files', '../steps/x')).rejects.toBeInstanceOf(ValidationError);
    await expect(engine.workflows.file('files', '.downloads')).rejects.toBeInstanceOf(ValidationError);
    // A recorded name replaced on disk by a symlink is not followed out of the folder.
    const recorded = join(dataDir, 'workflows', 'files', 'dashboard.png');
    rmSync(recorded);
    symlinkSync(join(dataDir, 'workflows', 'files', 'models.json'), recorded);
    await expect(engine.workflows.file('files', 'dashboard.png')).rejects.toBeInstanceOf(NotFoundError);
  });
});

describe('two workflows in parallel', () => {
  it("never see each other's cookies or files", async () => {
    await Promise.all([engine.workflows.create('left'), engine.workflows.create('right')]);
    await Promise.all([logIn('left'), openLogin('right')]);
    const [left, right] = await Promise.all(
      ['left', 'right'].map((sid) =>
        engine.workflows.runSteps(sid, { origin: sim.url, steps: [{ name: 'dashboard', actions: [{ goto: '/Dashboard.aspx' }], extract: { user: { selector: '#lblUserName' } } }] }),
      ),
    );
    expect(left.steps[0]).toMatchObject({ page: '/Dashboard.aspx', extracted: { user: 'agent' } });
    // The right one never logged in: the left one's session cookie is not in its context.
    expect(right.steps[0].page).toMatch(/^\/Login\.aspx/);
    expect(right.steps[0].extracted).toEqual({ user: '' });

    await Promise.all([
      engine.workflows.download('left', { url: '/api/models?make=Toyota', name: 'left.json' }),
      engine.workflows.screenshot('right', { name: 'right.png' }),
    ]);
    expect((await engine.workflows.files('left')).map((f) => f.name)).toEqual(['left.json']);
    expect((await engine.workflows.files('right')).map((f) => f.name)).toEqual(['right.png']);
    expect(userFiles('left')).toEqual(['left.json']);
    expect(userFiles('right')).toEqual(['right.png']);
    await expect(engine.workflows.file('right', 'left.json')).rejects.toBeInstanceOf(NotFoundError);
  });
});

describe('a deleted workflow', () => {
  it('lets its sid be used again; the old stream stays and replays, the new workflow starts empty', async () => {
    await engine.workflows.create('again');
    await engine.workflows.screenshot('again', { name: 'first.png' });
    await expect(engine.workflows.create('again')).rejects.toBeInstanceOf(InvalidCommandError);
    await engine.workflows.delete('again');
    expect(existsSync(join(dataDir, 'workflows', 'again'))).toBe(false);

    const second = await engine.workflows.create('again');
    expect(second).toMatchObject({ sid: 'again', state: 'active', files: [] });
    expect((await engine.workflows.list()).filter((w) => w.sid === 'again')).toHaveLength(1);
    const first = await store.read('workflow-again');
    expect(first[first.length - 1].stateAfter).toMatchObject({ value: 'closed' });
    expect((await store.read('workflow-again.2'))[0].data).toMatchObject({ input: { sid: 'again' } });

    await engine.workflows.delete('again');
    await engine.workflows.create('again');
    expect((await store.read('workflow-again.3')).length).toBeGreaterThan(0);
    expect((await engine.workflows.get('again')).state).toBe('active');
  });
});
