import { join } from 'node:path';
import { readdirSync } from 'node:fs';
import { SequentialIdGenerator } from '@engine/core';
import { watchConsoleErrors } from './console-errors';
import { captureFailure } from './failure-capture';
import { LocalArtifactStore } from './local-artifact-store';
import type { ManagedBrowser } from './managed-browser';
import { browserTestKit, type BrowserTestKit } from '../test-support/browser-test-kit';
import { startFixturePortal, type FixturePortal } from '../test-support/fixture-portal';

// Real Chromium: launches take seconds on a loaded machine (jest's per-project testTimeout is not applied).
jest.setTimeout(240_000);

const SAFE_REFERENCE = /^(screenshot|html|url|console)\/art_\d{6}(-[a-z0-9_-]+)?\.(png|html|txt|json)$/;

describe('captureFailure (real Chromium)', () => {
  let kit: BrowserTestKit;
  let portal: FixturePortal;
  let browser: ManagedBrowser;
  let store: LocalArtifactStore;
  let artifactsDir: string;

  beforeAll(async () => {
    kit = await browserTestKit();
    portal = await startFixturePortal();
    browser = await kit.host.launch({ timeoutMs: 60_000 });
    artifactsDir = join(kit.root, 'data', 'artifacts');
    store = new LocalArtifactStore(artifactsDir, new SequentialIdGenerator());
  });

  afterAll(async () => {
    const leftovers = await kit.teardown();
    await portal.close();
    expect(leftovers).toEqual({ processes: [], files: [] });
  });

  it('saves screenshot, HTML, URL and console errors under generated, safe names', async () => {
    const page = await browser.browser.newPage();
    const consoleLog = watchConsoleErrors(page);
    await page.goto(`${portal.url}/console-error?token=s3cr3t-token`, { waitUntil: 'load' });
    const saved = await captureFailure(page, { store, label: 'job 42/filling: ../../etc', consoleErrors: consoleLog.errors(), timeoutMs: 60_000 });
    consoleLog.stop();
    await page.close();

    expect(saved.missing).toEqual([]);
    const references = [saved.screenshot, saved.html, saved.url, saved.console] as string[];
    for (const reference of references) expect(reference).toMatch(SAFE_REFERENCE);
    expect(saved.screenshot).toMatch(/-job-42-filling-etc\.png$/);

    const png = await store.read(saved.screenshot as string);
    expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    expect((await store.read(saved.html as string)).toString()).toContain('id="broken"');
    const url = (await store.read(saved.url as string)).toString();
    expect(url).toBe(`${portal.url}/console-error?token=redacted`);
    expect(JSON.parse((await store.read(saved.console as string)).toString())).toEqual(['widget failed to load']);
    expect(readdirSync(artifactsDir).sort()).toEqual(['console', 'html', 'screenshot', 'url']);
  });

  it('keeps typed passwords and captcha answers out of the saved HTML', async () => {
    const page = await browser.browser.newPage();
    await page.goto(`${portal.url}/secret-form`, { waitUntil: 'domcontentloaded' });
    const saved = await captureFailure(page, { store, label: 'login', timeoutMs: 60_000 });
    await page.close();
    const html = (await store.read(saved.html as string)).toString();
    expect(html).toContain('id="pw"');
    expect(html).not.toContain('hunter2');
    expect(html).not.toContain('X7Q2');
  });

  it('still saves the URL and console errors of a page that is gone, listing what is missing', async () => {
    const page = await browser.browser.newPage();
    await page.goto(`${portal.url}/blank`, { waitUntil: 'domcontentloaded' });
    await page.close();
    const saved = await captureFailure(page, { store, label: 'closed', consoleErrors: ['boom'], timeoutMs: 60_000 });
    expect(saved.missing.sort()).toEqual(['html', 'screenshot']);
    expect(saved.url).toMatch(SAFE_REFERENCE);
    expect(saved.console).toMatch(SAFE_REFERENCE);
  });

  it('refuses references that would read outside the folder', async () => {
    await expect(store.read('../../etc/passwd')).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    await expect(store.read('html/../../x.html')).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
  });
});
