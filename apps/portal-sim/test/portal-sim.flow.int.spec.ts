// The portal driven by real headless Chromium: login with the captcha hook, the whole
// proposal form including the XHR dropdown, the reference, and the lookup by business key.
import type { BrowserContext } from 'puppeteer-core';
import { startPortalSim, type PortalSim } from '../src';
import { clickAndWait, fillCustomer, fillVehicle, login, newLoggedInPage, searchReferences, STEP_TIMEOUT_MS, text } from './browser-steps';
import { launchChromium, type LaunchedChromium } from './chromium';
import { newChassisNo } from './proposal-data';

let chromium: LaunchedChromium;
let sim: PortalSim;
let context: BrowserContext;
const extraSims: PortalSim[] = [];

beforeAll(async () => {
  sim = await startPortalSim({ testHooks: true, seed: 2026 });
  chromium = await launchChromium();
});

afterAll(async () => {
  await chromium?.dispose();
  await sim?.close();
});

beforeEach(async () => {
  context = await chromium.browser.createBrowserContext();
});

afterEach(async () => {
  await context.close();
  await Promise.all(extraSims.splice(0).map((s) => s.close()));
});

async function startExtraSim(options: Parameters<typeof startPortalSim>[0]): Promise<PortalSim> {
  const extra = await startPortalSim({ testHooks: true, ...options });
  extraSims.push(extra);
  return extra;
}

it('logs in with the captcha hook and shows the dashboard with the user name', async () => {
  const page = await context.newPage();
  await page.goto(`${sim.url}/Login.aspx`);
  const captchaLoaded = await page.$eval('#imgCaptcha', (img) => (img as HTMLImageElement).complete && (img as HTMLImageElement).naturalWidth);
  expect(captchaLoaded).toBe(180);
  const response = await login(page, sim);
  expect(response?.status()).toBe(200);
  expect(page.url()).toBe(`${sim.url}/Dashboard.aspx`);
  expect(await page.$('#divMainMotors a[href="/Proposal/Vehicle.aspx"]')).not.toBeNull();
  expect(await page.$('#divLogout a[href="/Logout.aspx"]')).not.toBeNull();
  expect(await text(page, '#lblUserName')).toBe('agent');
  const cookie = (await context.cookies()).find((c) => c.name === 'ASP.NET_SessionId');
  expect(cookie?.httpOnly).toBe(true);
  expect(await page.evaluate(() => document.cookie)).toBe('');
});

it('sends a visitor without a session to the login page and back to where they were going', async () => {
  const page = await context.newPage();
  await page.goto(`${sim.url}/Search.aspx?chassis=ABC`);
  expect(page.url()).toBe(`${sim.url}/Login.aspx?ReturnUrl=${encodeURIComponent('/Search.aspx?chassis=ABC')}`);
  await login(page, sim);
  expect(page.url()).toBe(`${sim.url}/Search.aspx?chassis=ABC`);
});

it('fills every step, loads the models by XHR, submits, shows the reference and finds it by chassis number', async () => {
  const page = await newLoggedInPage(context, sim);
  const chassisNo = newChassisNo();

  await clickAndWait(page, '#divMainMotors a');
  const modelsRequest = page.waitForResponse((res) => res.url().includes('/api/models?make=Honda'), { timeout: STEP_TIMEOUT_MS });
  await page.select('#ddlMake', 'Honda');
  expect((await modelsRequest).status()).toBe(200);
  await page.waitForSelector('#ddlModel:not([disabled]) option[value="CR-V"]', { timeout: STEP_TIMEOUT_MS });
  expect(await page.$$eval('#ddlModel option', (options) => options.map((o) => (o as HTMLOptionElement).value))).toEqual(['', 'Civic', 'Accord', 'CR-V']);
  await page.select('#ddlModel', 'CR-V');
  await page.type('#txtRegistrationNo', 'MH 12 AB 1234');
  await page.type('#txtChassisNo', chassisNo.toLowerCase());
  await clickAndWait(page, '#btnNext');
  expect(page.url()).toContain('/Proposal/Customer.aspx');

  await fillCustomer(page);
  await page.$eval('#txtEmail', (el) => ((el as HTMLInputElement).value = 'not-an-email'));
  const invalid = await clickAndWait(page, '#btnNext');
  expect(invalid?.status()).toBe(400);
  expect(await text(page, '.field-error[data-field="txtEmail"]')).toMatch(/e-mail/);
  await page.$eval('#txtEmail', (el) => ((el as HTMLInputElement).value = 'asha@example.com'));
  await clickAndWait(page, '#btnNext');
  expect(page.url()).toContain('/Proposal/Quote.aspx');
  expect(await text(page, '#lblPremium')).toBe('725.00');

  await clickAndWait(page, '#btnNext');
  expect(page.url()).toContain('/Proposal/Confirm.aspx');
  expect(await text(page, '#lblChassisNo')).toBe(chassisNo);
  expect(await text(page, '#lblModel')).toBe('CR-V');
  await clickAndWait(page, '#btnSubmit');
  expect(page.url()).toMatch(/\/Proposal\/Done\.aspx\?ref=PRP-\d{4}-\d{6}$/);
  const reference = await text(page, '#lblReference');
  expect(reference).toMatch(/^PRP-\d{4}-\d{6}$/);

  expect(await searchReferences(page, sim, chassisNo)).toEqual([reference]);
  expect(await searchReferences(page, sim, newChassisNo())).toEqual([]);
  expect(sim.stats().submissions[chassisNo]).toBe(1);
});

it('keeps two clones of one session filling at once apart by default', async () => {
  const master = await newLoggedInPage(context, sim);
  const cloneContext = await chromium.browser.createBrowserContext();
  try {
    await cloneContext.setCookie(...(await context.cookies()));
    const clone = await cloneContext.newPage();
    await clone.goto(`${sim.url}/Dashboard.aspx`);
    const [a, b] = [newChassisNo(), newChassisNo()];
    await fillVehicle(master, a);
    await fillVehicle(clone, b);
    await clickAndWait(master, '#btnNext');
    await clickAndWait(clone, '#btnNext');
    await fillCustomer(master);
    await clickAndWait(master, '#btnNext');
    await clickAndWait(master, '#btnNext');
    expect(await text(master, '#lblChassisNo')).toBe(a);
  } finally {
    await cloneContext.close();
  }
});

it('lets formStateInSession corrupt a concurrent fill, detectably: other chassis, changed form token', async () => {
  const webForms = await startExtraSim({ formStateInSession: true });
  const master = await newLoggedInPage(context, webForms);
  const cloneContext = await chromium.browser.createBrowserContext();
  try {
    await cloneContext.setCookie(...(await context.cookies()));
    const clone = await cloneContext.newPage();
    await clone.goto(`${webForms.url}/Dashboard.aspx`);
    const [a, b] = [newChassisNo(), newChassisNo()];
    await fillVehicle(master, a);
    const masterToken = await master.$eval('#hdnFormToken', (el) => (el as HTMLInputElement).value);
    await fillVehicle(clone, b);
    await clickAndWait(master, '#btnNext');
    await clickAndWait(clone, '#btnNext');
    await fillCustomer(master);
    await clickAndWait(master, '#btnNext');
    await clickAndWait(master, '#btnNext');
    expect(master.url()).toBe(`${webForms.url}/Proposal/Confirm.aspx`);
    expect(await text(master, '#lblChassisNo')).toBe(b);
    expect(await master.$eval('#form1', (form) => form.getAttribute('data-form-token'))).not.toBe(masterToken);
  } finally {
    await cloneContext.close();
  }
});

it('logs the older session out when singleSessionPerUser is on', async () => {
  const strict = await startExtraSim({ singleSessionPerUser: true });
  const older = await newLoggedInPage(context, strict);
  const otherContext = await chromium.browser.createBrowserContext();
  try {
    const newer = await newLoggedInPage(otherContext, strict);
    await older.reload();
    expect(older.url()).toContain('/Login.aspx?ReturnUrl=');
    await newer.reload();
    expect(newer.url()).toBe(`${strict.url}/Dashboard.aspx`);
    expect(strict.stats().activeSessions).toBe(1);
  } finally {
    await otherContext.close();
  }
});

it('logs out from the dashboard', async () => {
  const page = await newLoggedInPage(context, sim);
  await clickAndWait(page, '#divLogout a');
  expect(page.url()).toBe(`${sim.url}/Login.aspx`);
  await page.goto(`${sim.url}/Dashboard.aspx`);
  expect(page.url()).toContain('/Login.aspx?ReturnUrl=');
});
