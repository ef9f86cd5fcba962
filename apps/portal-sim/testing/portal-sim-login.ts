// Logs a page into the portal simulator the way a person would (user name, password, captcha),
// reading the captcha's answer from the simulator's test hook. A few lines of puppeteer on
// purpose: tests of the lower libs (browser sessions, pools) log in without libs/portals.
import type { Page } from 'puppeteer-core';
import type { PortalSim } from '../src/server';
import type { ProbeSelectors } from '@engine/browser';

export const SIM_SELECTORS = {
  loginForm: '#txtUserName',
  loggedIn: '#divMainMotors',
  loginUrlPatterns: [/^\/login\.aspx$/i],
} satisfies ProbeSelectors;

export async function loginToPortalSim(sim: PortalSim, page: Page, username: string, password: string, signal: AbortSignal): Promise<void> {
  const timeout = 10_000;
  await page.goto(`${sim.url}/Login.aspx`, { waitUntil: 'domcontentloaded', timeout, signal });
  const captchaId = await page.$eval('#hdnCaptchaId', (input) => (input as HTMLInputElement).value);
  const answer = sim.captchaAnswer(captchaId);
  if (!answer) throw new Error('portal-sim issued no captcha');
  await page.type('#txtUserName', username);
  await page.type('#txtPassword', password);
  await page.type('#txtCaptcha', answer);
  await Promise.all([page.waitForNavigation({ waitUntil: 'domcontentloaded', timeout, signal }), page.click('#btnLogin')]);
  await page.waitForSelector(SIM_SELECTORS.loggedIn, { timeout, signal });
}
