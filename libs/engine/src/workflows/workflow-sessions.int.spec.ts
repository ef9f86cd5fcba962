// Workflow sessions against real Chromium and a cookie-setting site on 127.0.0.1: two
// workflows running at once never see each other's cookies, storage or files; reset clears
// cookies and files; delete removes the folder; path tricks are refused and nothing is written
// outside the data folder; a restart re-opens active workflows with their files (a sid's second
// generation too, and the sid's next one follows after it); an unused
// workflow is closed by its idle timer; a crashed worker browser is replaced.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, lstatSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { InvalidCommandError, NotFoundError, SimulatedClock, ValidationError, type EventStore } from '@engine/core';
import { MemoryEventStore, SqliteEventStore } from '@engine/event-store';
import { startCookieServer, type CookieServer } from '../../test-support/cookie-server';
import { createEngine, type Engine } from '../engine';

jest.setTimeout(120_000);

let root: string;
let site: CookieServer;
const engines: Engine[] = [];

function engineAt(dataDir: string, store: EventStore = new MemoryEventStore(), extra: Partial<Parameters<typeof createEngine>[0]> = {}): Engine {
  const engine = createEngine({ store, dataDir, browser: { tempDir: join(root, 'chromium'), closeTimeoutMs: 3_000 }, workflows: { maxUploadBytes: 1024 }, ...extra });
  engines.push(engine);
  return engine;
}

async function until<T>(what: string, probe: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Every file under `dir`, relative to it. */
function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((p) => lstatSync(join(dir, p)).isFile())
    .map((p) => relative(dir, join(dir, p)))
    .sort();
}

async function cookiesSeen(engine: Engine, sid: string): Promise<string> {
  const page = await engine.workflows.page(sid);
  await page.goto(`${site.url}/read`, { waitUntil: 'load', timeout: 10_000 });
  return page.$eval('#cookies', (el) => el.textContent ?? '');
}

async function setCookie(engine: Engine, sid: string, value: string): Promise<void> {
  const page = await engine.workflows.page(sid);
  await page.goto(`${site.url}/set?v=${value}`, { waitUntil: 'load', timeout: 10_000 });
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'workflows-int-'));
  mkdirSync(join(root, 'chromium'));
  site = await startCookieServer();
});

afterAll(async () => {
  for (const engine of engines) await engine.stop().catch(() => undefined);
  await site?.close();
  rmSync(root, { recursive: true, force: true });
});

describe('two workflows side by side', () => {
  let engine: Engine;
  let dataDir: string;

  beforeAll(async () => {
    dataDir = join(root, 'side-by-side');
    engine = engineAt(dataDir);
    await engine.start();
  });

  it('never see each other\'s cookies or storage', async () => {
    const [a, b] = await Promise.all([engine.workflows.create('alpha'), engine.workflows.create('beta')]);
    expect([a.state, b.state]).toEqual(['active', 'active']);
    await setCookie(engine, 'alpha', 'secret-of-alpha');
    const pageA = await engine.workflows.page('alpha');
    await pageA.evaluate(() => localStorage.setItem('who', 'alpha'));

    expect(await cookiesSeen(engine, 'beta')).toBe('');
    const pageB = await engine.workflows.page('beta');
    expect(await pageB.evaluate(() => localStorage.getItem('who'))).toBeNull();
    expect(await cookiesSeen(engine, 'alpha')).toBe('wf=secret-of-alpha');
  });

  it('never see each other\'s files', async () => {
    const view = await engine.workflows.upload('alpha', 'invoice 1.pdf', Buffer.from('alpha bytes'));
    expect(view.files).toEqual([{ name: 'invoice 1.pdf', size: 11, kind: 'upload', uploadedAt: expect.any(String) }]);
    const listed = await engine.workflows.list();
    expect(listed.map((w) => [w.sid, w.state, w.files.map((f) => f.name)])).toEqual([
      ['alpha', 'active', ['invoice 1.pdf']],
      ['beta', 'active', []],
    ]);
    expect(filesUnder(engine.workflows.folder('alpha'))).toEqual(['invoice 1.pdf']);
    expect(readFileSync(join(engine.workflows.folder('alpha'), 'invoice 1.pdf'), 'utf8')).toBe('alpha bytes');
    expect(filesUnder(engine.workflows.folder('beta'))).toEqual([]);
  });

  it('a page handed out records a use only once per pageTouchEveryMs', async () => {
    const version = async () => (await engine.host.getState('workflow-beta'))?.version;
    const before = await version();
    await engine.workflows.page('beta');
    await engine.workflows.page('beta');
    expect(await version()).toBe(before);
  });

  it('a use is recorded and pushes the idle expiry back', async () => {
    const before = await engine.workflows.get('beta');
    await new Promise((r) => setTimeout(r, 5));
    await engine.workflows.touch('beta');
    const after = await engine.workflows.get('beta');
    expect(Date.parse(after.lastUsedAt)).toBeGreaterThan(Date.parse(before.lastUsedAt));
    expect(Date.parse(after.idleExpiresAt as string)).toBeGreaterThan(Date.parse(before.idleExpiresAt as string));
  });

  it('reset clears the workflow\'s cookies and files and leaves the other one alone', async () => {
    await setCookie(engine, 'beta', 'beta-cookie');
    await engine.workflows.upload('beta', 'keep.txt', Buffer.from('b'));
    const view = await engine.workflows.reset('alpha');
    expect(view).toMatchObject({ state: 'active', files: [] });
    expect(filesUnder(engine.workflows.folder('alpha'))).toEqual([]);
    expect(await cookiesSeen(engine, 'alpha')).toBe('');
    expect(await cookiesSeen(engine, 'beta')).toBe('wf=beta-cookie');
    expect(filesUnder(engine.workflows.folder('beta'))).toEqual(['keep.txt']);
  });

  it('delete closes the context, removes the folder and ends the stream; nothing answers for the sid until it is created again', async () => {
    const folder = engine.workflows.folder('beta');
    const view = await engine.workflows.delete('beta');
    expect(view.state).toBe('closed');
    expect(existsSync(folder)).toBe(false);
    expect((await engine.workflows.list()).map((w) => w.sid)).toEqual(['alpha']);
    await expect(engine.workflows.reset('beta')).rejects.toBeInstanceOf(NotFoundError);
    await expect(engine.workflows.upload('beta', 'x.txt', Buffer.from('x'))).rejects.toBeInstanceOf(NotFoundError);
    await expect(engine.workflows.delete('beta')).rejects.toBeInstanceOf(NotFoundError);
    expect(existsSync(folder)).toBe(false);
  });

  it('generates a sid when none is given', async () => {
    const view = await engine.workflows.create();
    expect(view.sid).toMatch(/^[A-Za-z0-9_-]{1,64}$/);
    expect(view.state).toBe('active');
    await engine.workflows.delete(view.sid);
  });

  it('refuses path tricks in sids and file names, and writes nothing outside the data folder', async () => {
    // Everything the data folder's parent and the data folder hold; a traversal would add to one of them.
    const snapshot = () => ({ parent: readdirSync(root).sort(), data: filesUnder(dataDir), tmp: existsSync(join(tmpdir(), 'evil')) });
    const before = snapshot();
    const eventsBefore = (await engine.store.heads('workflow-')).length;
    for (const sid of ['../x', '..', '%2e%2e', '..%2Fx', '/tmp/x', 'a\u0000b', 'a b', 'x'.repeat(65), '']) {
      await expect(engine.workflows.create(sid)).rejects.toBeInstanceOf(ValidationError);
      await expect(engine.workflows.upload(sid, 'ok.txt', Buffer.from('x'))).rejects.toBeInstanceOf(ValidationError);
      await expect(engine.workflows.reset(sid)).rejects.toBeInstanceOf(ValidationError);
      await expect(engine.workflows.delete(sid)).rejects.toBeInstanceOf(ValidationError);
    }
    for (const name of ['../evil.txt', '..', '../../../../../../../../tmp/evil', '/etc/passwd', 'sub/x.txt', 'a\\b.txt', 'a\u0000b', 'a\nb', '.hidden', '%2e%2e%2fevil', 'x'.repeat(129)]) {
      await expect(engine.workflows.upload('alpha', name, Buffer.from('evil'))).rejects.toBeInstanceOf(ValidationError);
    }
    expect(snapshot()).toEqual(before);
    expect(filesUnder(engine.workflows.folder('alpha'))).toEqual([]);
    expect((await engine.store.heads('workflow-')).length).toBe(eventsBefore);
  });

  it('refuses an upload above the size limit without writing it', async () => {
    const error = await engine.workflows.upload('alpha', 'big.bin', Buffer.alloc(1025)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).fields).toHaveProperty('file');
    expect(filesUnder(engine.workflows.folder('alpha'))).toEqual([]);
  });

  it('refuses an upload while the workflow is resetting (409) and leaves no file behind', async () => {
    await engine.host.send('workflow-alpha', { type: 'RESET', at: new Date().toISOString() });
    await expect(engine.workflows.upload('alpha', 'late.txt', Buffer.from('x'))).rejects.toBeInstanceOf(InvalidCommandError);
    await until('reset done', async () => (await engine.workflows.get('alpha')).state === 'active');
    expect((await engine.workflows.get('alpha')).files).toEqual([]);
    expect(filesUnder(engine.workflows.folder('alpha'))).toEqual([]);
  });
});

describe('a restart', () => {
  it('re-opens active workflows with a fresh context: files kept, cookies gone, folders of closed workflows swept', async () => {
    const dataDir = join(root, 'restart');
    const file = join(root, 'restart-events.db');
    const first = engineAt(dataDir, new SqliteEventStore(file));
    await first.start();
    await first.workflows.create('keeper');
    await first.workflows.upload('keeper', 'form.pdf', Buffer.from('pdf'));
    await setCookie(first, 'keeper', 'before-restart');
    // A sid used a second time: its live workflow is the second generation's stream.
    await first.workflows.create('twice');
    await first.workflows.delete('twice');
    await first.workflows.create('twice');
    await first.workflows.upload('twice', 'second.txt', Buffer.from('2'));
    await first.stop();
    // A close that crashed half-way leaves a folder no live workflow owns.
    const orphan = join(dataDir, 'workflows', 'gone');
    mkdirSync(orphan, { recursive: true });

    const second = engineAt(dataDir, new SqliteEventStore(file));
    await second.start();
    const view = await until('re-opened', async () => {
      const v = await second.workflows.get('keeper');
      return v.state === 'active' && v.reopens === 1 && v;
    });
    expect(view.files.map((f) => f.name)).toEqual(['form.pdf']);
    expect(filesUnder(second.workflows.folder('keeper'))).toEqual(['form.pdf']);
    expect(await cookiesSeen(second, 'keeper')).toBe('');
    expect(existsSync(orphan)).toBe(false);

    const twice = await until('second generation re-opened', async () => {
      const v = await second.workflows.get('twice');
      return v.state === 'active' && v.reopens === 1 && v;
    });
    expect(twice.files.map((f) => f.name)).toEqual(['second.txt']);
    expect((await second.host.getState('workflow-twice'))?.state.value).toBe('closed');
    await second.workflows.delete('twice');
    expect((await second.workflows.create('twice')).files).toEqual([]);
    expect((await second.host.getState('workflow-twice.3'))?.state.value).toBe('active');
    await second.stop();
  });
});

describe('idle expiry', () => {
  it('closes a workflow nobody used for its idle time (counted from the last page use) and removes its folder', async () => {
    const clock = new SimulatedClock(Date.now());
    const engine = engineAt(join(root, 'idle'), new MemoryEventStore(), { clock, workflows: { idleMs: 60_000, pageTouchEveryMs: 30_000 } });
    await engine.start();
    await engine.workflows.create('sleepy');
    const folder = engine.workflows.folder('sleepy');
    await clock.advance(59_000);
    expect((await engine.workflows.get('sleepy')).state).toBe('active');
    // Driving the page is a use: the idle period starts over.
    await engine.workflows.page('sleepy');
    await clock.advance(59_000);
    expect((await engine.workflows.get('sleepy')).state).toBe('active');
    await clock.advance(2_000);
    await engine.host.idle();
    await until('closed', async () => (await engine.host.getState('workflow-sleepy'))?.state.value === 'closed');
    expect(existsSync(folder)).toBe(false);
    expect((await engine.host.getState('workflow-sleepy'))?.state.output).toEqual({ closeReason: 'idle', lastFailure: null });
    await engine.stop();
  });
});

describe('a crashed worker browser', () => {
  it('is replaced, and its workflows get fresh contexts', async () => {
    const engine = engineAt(join(root, 'crash'));
    await engine.start();
    await engine.workflows.create('survivor');
    await setCookie(engine, 'survivor', 'before-crash');
    const [worker] = engine.browsers.browsers();
    process.kill(worker.pid as number, 'SIGKILL');
    const view = await until('re-opened', async () => {
      const v = await engine.workflows.get('survivor');
      return v.state === 'active' && v.reopens === 1 && v;
    });
    expect(view.reopens).toBe(1);
    expect(await cookiesSeen(engine, 'survivor')).toBe('');
    await engine.stop();
  });
});

describe('leaks', () => {
  it('leaves no Chromium of these tests running', async () => {
    for (const engine of engines) await engine.stop().catch(() => undefined);
    const ours = () => {
      try {
        return execFileSync('pgrep', ['-fa', 'chromium'], { encoding: 'utf8' }).split('\n').filter((l) => l.includes(root));
      } catch {
        return [];
      }
    };
    await until('no chromium left', () => ours().length === 0, 10_000);
    expect(ours()).toEqual([]);
  });
});
