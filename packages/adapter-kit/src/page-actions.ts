// Small page actions adapters share: set a field the way a user's typing ends up (value plus
// input/change events, so page scripts react), and click something that navigates, waiting
// for the new document only (never for images, fonts or analytics).
import type { HTTPResponse, Page } from 'puppeteer-core';
import type { OperationScope } from './operation';

export async function setField(page: Page, selector: string, value: string): Promise<void> {
  await page.$eval(
    selector,
    (element, text) => {
      const field = element as HTMLInputElement | HTMLSelectElement;
      field.value = text;
      field.dispatchEvent(new Event('input', { bubbles: true }));
      field.dispatchEvent(new Event('change', { bubbles: true }));
    },
    value,
  );
}

export async function clickAndNavigate(page: Page, selector: string, scope: OperationScope): Promise<HTTPResponse | null> {
  const navigation = page.waitForNavigation({ waitUntil: 'domcontentloaded', timeout: 0, signal: scope.signal });
  navigation.catch(() => undefined);
  await page.click(selector);
  return navigation;
}

export function currentPath(page: Page): string {
  try {
    return new URL(page.url()).pathname;
  } catch {
    return '';
  }
}
