// The browser side of the integration tests: log in through the captcha test hook and fill
// the proposal form the way the engine's portal adapter will.
import type { BrowserContext, HTTPResponse, Page } from 'puppeteer-core';
import type { FaultPatch, PortalSim } from '../src';
import { CUSTOMER_FORM } from './proposal-data';

export const STEP_TIMEOUT_MS = 10_000;

export async function hook(sim: PortalSim, path: string, body?: unknown): Promise<any> {
  const res = await fetch(`${sim.url}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(STEP_TIMEOUT_MS),
  });
  if (!res.ok) throw new Error(`test hook ${path} answered ${res.status}`);
  return res.json();
}

export const setFaults = (sim: PortalSim, patch: FaultPatch) => hook(sim, '/__test/faults', patch);
export const resetFaults = (sim: PortalSim) => hook(sim, '/__test/faults/reset', {});

/** Clicks and waits for the page it leads to; the response of that navigation. */
export async function clickAndWait(page: Page, selector: string, timeout = STEP_TIMEOUT_MS): Promise<HTTPResponse | null> {
  const [response] = await Promise.all([page.waitForNavigation({ timeout }), page.click(selector)]);
  return response;
}

/** Fills the login form with the captcha's answer read through the test hook, and submits it. */
export async function login(page: Page, sim: PortalSim, username = 'agent', password = 'Secr3t!pass'): Promise<HTTPResponse | null> {
  if (!page.url().includes('/Login.aspx')) await page.goto(`${sim.url}/Login.aspx`, { timeout: STEP_TIMEOUT_MS });
  const captchaId = await page.$eval('#hdnCaptchaId', (el) => (el as HTMLInputElement).value);
  const { answer } = (await hook(sim, `/__test/captcha/${captchaId}`)) as { answer: string };
  // A refused login re-renders the form with the user name kept: start from empty fields.
  await page.$$eval('#txtUserName, #txtPassword, #txtCaptcha', (inputs) => inputs.forEach((input) => ((input as HTMLInputElement).value = '')));
  await page.type('#txtUserName', username);
  await page.type('#txtPassword', password);
  await page.type('#txtCaptcha', answer);
  return clickAndWait(page, '#btnLogin');
}

export async function newLoggedInPage(context: BrowserContext, sim: PortalSim, username?: string, password?: string): Promise<Page> {
  const page = await context.newPage();
  await login(page, sim, username, password);
  if (!page.url().endsWith('/Dashboard.aspx')) throw new Error(`login failed, on ${page.url()}`);
  return page;
}

export async function text(page: Page, selector: string): Promise<string> {
  return page.$eval(selector, (el) => (el.textContent ?? '').trim());
}

/** Opens the form from the dashboard and fills the vehicle step, model chosen after the XHR. */
export async function fillVehicle(page: Page, chassisNo: string, make = 'Toyota', model = 'Corolla'): Promise<void> {
  if (!page.url().includes('/Proposal/Vehicle.aspx')) await clickAndWait(page, '#divMainMotors a');
  await page.select('#ddlMake', make);
  await page.waitForSelector(`#ddlModel:not([disabled]) option[value="${model}"]`, { timeout: STEP_TIMEOUT_MS });
  await page.select('#ddlModel', model);
  await page.type('#txtRegistrationNo', 'KA-01-1234');
  await page.type('#txtChassisNo', chassisNo);
}

export async function fillCustomer(page: Page): Promise<void> {
  await page.type('#txtFullName', CUSTOMER_FORM.txtFullName);
  await page.type('#txtDateOfBirth', CUSTOMER_FORM.txtDateOfBirth);
  await page.type('#txtMobile', CUSTOMER_FORM.txtMobile);
  await page.type('#txtEmail', CUSTOMER_FORM.txtEmail);
}

/** From the dashboard to the confirm page: vehicle, customer and quote. */
export async function fillToConfirm(page: Page, chassisNo: string): Promise<void> {
  await fillVehicle(page, chassisNo);
  await clickAndWait(page, '#btnNext');
  await fillCustomer(page);
  await clickAndWait(page, '#btnNext');
  await clickAndWait(page, '#btnNext');
  if (!page.url().includes('/Proposal/Confirm.aspx')) throw new Error(`expected the confirm page, on ${page.url()}`);
}

/** The references the search page lists for a business key. */
export async function searchReferences(page: Page, sim: PortalSim, chassisNo: string): Promise<string[]> {
  await page.goto(`${sim.url}/Search.aspx?chassis=${encodeURIComponent(chassisNo)}`, { timeout: STEP_TIMEOUT_MS });
  return page.$$eval('#tblResults tr.result-row', (rows) => rows.map((row) => row.getAttribute('data-reference') ?? ''));
}
