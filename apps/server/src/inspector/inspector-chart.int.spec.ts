// The statechart view in real headless Chromium at 1280×800 against the real server in-process:
// the job and master-session charts (ELK layouts) open with the current state in the middle of
// the frame and follow it live; "Fit" puts every state inside the visible canvas; the wheel and
// the buttons zoom, a drag pans; a compound state collapses into a smaller box (laid out again by
// the server) and opens again. Screenshots go to test-output/inspector-chart.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'puppeteer-core';
import { ENGINE_MACHINES } from '@engine/machines';
import { jobInput } from '@engine/machines/testing';
import { gatedJobEffects, type GatedJobEffects } from './testing/gated-job-effects';
import { launchChromium, signInToInspector, type HeadlessChromium } from './testing/headless-chromium';
import { masterSessionWithRecovery } from './testing/master-session-history';
import { startInspectorTestServer, type InspectorTestServer } from './testing/inspector-test-server';

const OUTPUT = join(process.cwd(), 'test-output', 'inspector-chart');
const WAIT = { timeout: 15_000 };
jest.setTimeout(90_000);

let server: InspectorTestServer;
let chromium: HeadlessChromium;
let effects: GatedJobEffects;
let page: Page;

beforeAll(async () => {
  mkdirSync(OUTPUT, { recursive: true });
  server = await startInspectorTestServer({
    machines: [...ENGINE_MACHINES],
    effects: (artifactsDir) => {
      effects = gatedJobEffects(artifactsDir, { gated: () => true, submit: () => 'ok' });
      return effects.registry;
    },
  });
  chromium = await launchChromium();
  page = await chromium.browser.newPage();
  await page.setViewport({ width: 1280, height: 800 });
  await signInToInspector(page, server.url, server.token, WAIT.timeout);
  await page.waitForSelector('#list-view:not([hidden])', WAIT);
});

afterAll(async () => {
  await chromium?.close();
  await server?.close();
});

interface Rect {
  left: number;
  top: number;
  right: number;
  bottom: number;
}

/** The screen rectangle of a state's box, and of the canvas (the SVG element). */
const rectOf = (selector: string): Promise<Rect> =>
  page.$eval(selector, (el) => {
    const r = el.getBoundingClientRect();
    return { left: r.left, top: r.top, right: r.right, bottom: r.bottom };
  });
const canvas = () => rectOf('#chart');
const stateBox = (path: string) => rectOf(`#chart .node[data-path="${path}"] > rect`);
const zoom = () => page.$eval('#chart', (el) => Number((el as SVGElement).dataset.zoom));
const centreOf = (r: Rect) => ({ x: (r.left + r.right) / 2, y: (r.top + r.bottom) / 2 });

/** Every state box that lies (even partly) outside the canvas, by path. */
function statesOutsideCanvas(): Promise<string[]> {
  return page.$$eval('#chart .node', (nodes) => {
    const frame = (document.querySelector('#chart') as SVGElement).getBoundingClientRect();
    return nodes
      .filter((node) => {
        const box = (node.querySelector(':scope > rect') as SVGRectElement).getBoundingClientRect();
        return box.left < frame.left - 0.5 || box.top < frame.top - 0.5 || box.right > frame.right + 0.5 || box.bottom > frame.bottom + 0.5;
      })
      .map((node) => (node as SVGGElement).dataset.path as string);
  });
}

async function expectCentred(path: string): Promise<void> {
  const box = centreOf(await stateBox(path));
  const frame = centreOf(await canvas());
  expect(Math.abs(box.x - frame.x)).toBeLessThan(2);
  expect(Math.abs(box.y - frame.y)).toBeLessThan(2);
}

describe('the statechart view in Chromium at 1280×800', () => {
  it('opens a job with its current state centred, and centres the new state when it changes', async () => {
    await server.engine.host.create('job', 'chart', { ...jobInput, jobId: 'chart', businessKey: 'BK-chart', steps: ['applicant'] });
    await page.goto(`${server.url}/inspector#/stream/job-chart`, { waitUntil: 'domcontentloaded' });
    await page.waitForSelector('#chart .node.active[data-path="pending"]', WAIT);
    await page.waitForFunction(() => document.querySelector('#live-status')?.textContent === 'live', WAIT);
    // The whole job chart is not readable at 1280 px, so it opens zoomed in around the current state.
    expect(await zoom()).toBe(1);
    expect(await statesOutsideCanvas()).not.toEqual([]);
    await expectCentred('pending');
    await page.screenshot({ path: join(OUTPUT, 'job.png') });

    await server.engine.host.send('job-chart', { type: 'START' });
    await page.waitForSelector('#chart .node.active[data-path="cloning"]', WAIT);
    await page.waitForFunction(() => document.querySelector('#current-state')?.textContent === 'cloning', WAIT);
    await expectCentred('cloning');
  });

  it('fits the whole job chart into the canvas', async () => {
    await page.click('[data-chart-tool="fit"]');
    expect(await statesOutsideCanvas()).toEqual([]);
    expect(await page.$$eval('#chart .node', (nodes) => nodes.length)).toBe(16);
    await page.screenshot({ path: join(OUTPUT, 'job-fit.png') });
  });

  it('zooms with the wheel around the pointer and with the buttons, and pans by dragging', async () => {
    const before = await zoom();
    const cloning = centreOf(await stateBox('cloning'));
    await page.mouse.move(cloning.x, cloning.y);
    await page.mouse.wheel({ deltaY: -400 });
    await page.waitForFunction((k) => Number((document.querySelector('#chart') as SVGElement).dataset.zoom) > k, WAIT, before);
    // The state under the pointer stays under it.
    const after = centreOf(await stateBox('cloning'));
    expect(Math.abs(after.x - cloning.x)).toBeLessThan(1.5);
    expect(Math.abs(after.y - cloning.y)).toBeLessThan(1.5);

    const wheeled = await zoom();
    await page.click('[data-chart-tool="zoom-in"]');
    expect(await zoom()).toBeCloseTo(wheeled * 1.25, 3);
    await page.click('[data-chart-tool="zoom-out"]');
    await page.click('[data-chart-tool="zoom-out"]');
    expect(await zoom()).toBeCloseTo(wheeled / 1.25, 3);

    const start = await stateBox('pending');
    const frame = await canvas();
    const from = { x: frame.left + 40, y: frame.bottom - 40 };
    await page.mouse.move(from.x, from.y);
    await page.mouse.down();
    await page.mouse.move(from.x + 120, from.y - 30, { steps: 5 });
    await page.mouse.move(from.x + 200, from.y - 60, { steps: 5 });
    await page.mouse.up();
    const moved = await stateBox('pending');
    expect(moved.left - start.left).toBeCloseTo(200, 0);
    expect(moved.top - start.top).toBeCloseTo(-60, 0);
    await page.screenshot({ path: join(OUTPUT, 'job-zoomed-panned.png') });

    await page.click('[data-chart-tool="current"]');
    await expectCentred('cloning');
  });

  it('opens the nested master-session chart centred on its state and fits all of it into the canvas', async () => {
    await server.engine.store.append('master-portal-c', masterSessionWithRecovery('master-portal-c'), { expectedVersion: 'no-stream' });
    await page.goto(`${server.url}/inspector#/stream/master-portal-c`, { waitUntil: 'domcontentloaded' });
    await page.waitForSelector('#chart .node.active[data-path="ready"]', WAIT);
    await expectCentred('ready');
    await page.screenshot({ path: join(OUTPUT, 'master-session.png') });
    await page.click('[data-chart-tool="fit"]');
    expect(await statesOutsideCanvas()).toEqual([]);
    expect(await page.$('#chart .node[data-path="recovering.soft.attempt.relogin"]')).not.toBeNull();
    await page.screenshot({ path: join(OUTPUT, 'master-session-fit.png') });
  });

  it('collapses a compound state into a smaller box and opens it again, keeping the travelled-to state marked', async () => {
    const events = await server.engine.store.read('master-portal-c');
    const relogin = events.find((e) => JSON.stringify((e.stateAfter as { value?: unknown } | null)?.value).includes('relogin')) as { version: number };
    await page.click(`#timeline-rows tr[data-version="${relogin.version}"]`);
    await page.waitForSelector('#chart .node.travel[data-path="recovering.soft.attempt.relogin"]', WAIT);
    // Clicking the row scrolled the page down to the timeline: back up to the chart.
    await page.evaluate(() => window.scrollTo(0, 0));
    const open = await stateBox('recovering');

    // Zoom in where the toggle is (the chart is fitted, so it is in view), then press it.
    const toggle = centreOf(await rectOf('#chart .toggle[data-toggle="recovering"] > rect'));
    const fitted = await zoom();
    await page.mouse.move(toggle.x, toggle.y);
    await page.mouse.wheel({ deltaY: -600 });
    await page.waitForFunction((k) => Number((document.querySelector('#chart') as SVGElement).dataset.zoom) > k * 2, WAIT, fitted);
    await page.click('#chart .toggle[data-toggle="recovering"]');
    await page.waitForSelector('#chart .node.collapsed[data-path="recovering"]', WAIT);
    expect(await page.$$eval('#chart .node', (nodes) => nodes.filter((n) => (n as SVGGElement).dataset.path?.startsWith('recovering.')).length)).toBe(0);
    const shut = await stateBox('recovering');
    expect(shut.right - shut.left).toBeLessThan(open.right - open.left);
    expect(shut.bottom - shut.top).toBeLessThan(open.bottom - open.top);
    // The state travelled to is inside the collapsed box: the box is marked in its place.
    expect(await page.$('#chart .node.travel.collapsed[data-path="recovering"]')).not.toBeNull();
    await page.click('[data-chart-tool="fit"]');
    expect(await statesOutsideCanvas()).toEqual([]);
    await page.screenshot({ path: join(OUTPUT, 'master-session-collapsed.png') });

    await page.click('#chart .toggle[data-toggle="recovering"]');
    await page.waitForSelector('#chart .node.travel[data-path="recovering.soft.attempt.relogin"]', WAIT);
    expect(await page.$('#chart .node.collapsed')).toBeNull();
    await page.click('#travel-exit');
    await page.waitForSelector('#chart .node.active[data-path="ready"]', WAIT);
  });
});
