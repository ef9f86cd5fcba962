// Reading a page the way a declarative portal describes it: URL patterns (path and query),
// markers (a selector, a URL pattern or both) and reads (an element's text or attribute,
// optionally narrowed by a regular expression).
import type { ElementHandle, Page } from 'puppeteer-core';
import type { Marker, ReadSpec } from './portal-document';

/** The part of a URL that URL patterns are matched against: `/index.php?title=Special:UserLogin`. */
export function pathAndQuery(url: string): string {
  try {
    const parsed = new URL(url);
    return parsed.pathname + parsed.search;
  } catch {
    return '';
  }
}

export function urlMatches(pattern: RegExp, url: string): boolean {
  return pattern.test(pathAndQuery(url));
}

export async function present(page: Page, selector: string): Promise<boolean> {
  return (await page.$$eval(selector, (elements) => elements.length)) > 0;
}

export async function markerHolds(page: Page, marker: Marker): Promise<boolean> {
  if (marker.url && urlMatches(marker.url, page.url())) return true;
  return marker.selector !== undefined && (await present(page, marker.selector));
}

/** The value a read describes on the page; empty when the element or the pattern is not there. */
export async function readOnPage(page: Page, spec: ReadSpec): Promise<string> {
  const element = spec.selector ? await page.$(spec.selector) : null;
  if (!element) return '';
  try {
    return await readElement(element, spec);
  } finally {
    await element.dispose();
  }
}

/** A read relative to `root` (a lookup row): its `selector` is searched inside it, or it is the row. */
export async function readWithin(root: ElementHandle<Element>, spec: ReadSpec): Promise<string> {
  if (!spec.selector) return readElement(root, spec);
  const element = await root.$(spec.selector);
  if (!element) return '';
  try {
    return await readElement(element, spec);
  } finally {
    await element.dispose();
  }
}

async function readElement(element: ElementHandle<Element>, spec: ReadSpec): Promise<string> {
  const raw = await element.evaluate((el, attribute) => {
    if (attribute === null) return el.textContent ?? '';
    if (attribute === 'value' && 'value' in el) return String((el as HTMLInputElement).value);
    return el.getAttribute(attribute) ?? '';
  }, spec.attribute ?? null);
  if (!spec.pattern) return raw.trim();
  const match = spec.pattern.exec(raw);
  return (match?.[1] ?? match?.[0] ?? '').trim();
}
