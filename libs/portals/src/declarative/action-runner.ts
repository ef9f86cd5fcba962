// Runs a declarative step's actions on a page. Every wait is bound to the operation's signal
// (timeout 0: the operation's deadline is the only one). Each navigation is checked the same
// way: a refusal the step describes, then the login page (the session is gone), then an error
// status or a page other than the one expected.
import type { Frame, HTTPResponse, Page } from 'puppeteer-core';
import { SessionExpiredError } from '@engine/core';
import type { OperationScope } from '@engine/browser';
import { FormRejectedError, UnexpectedPageError } from '../errors';
import { clickAndNavigate, currentPath, setField } from '@portal-engine/adapter-kit';
import { markerHolds, present, urlMatches } from './page-reads';
import type { Action, PortalDefinition, Rejection, ValueSource } from './portal-document';
import { renderTemplate, valueAtPath, scalarText, type RuntimeValues } from './template';

export interface ActionContext {
  portal: string;
  /** The step name (or `submit`, `find submission`) errors report. */
  stage: string;
  origin: string;
  /** The portal's session markers; without them (workflow steps) no page counts as the login page. */
  session?: PortalDefinition['session'];
  values: RuntimeValues;
  scope: OperationScope;
  rejected?: Rejection;
  /** Called just before any click leaves for the page: the submit's point of no return. */
  beforeClick?: () => void;
}

interface UploadFile {
  name: string;
  type?: string;
  base64: string;
}

export async function runActions(page: Page, actions: readonly Action[], ctx: ActionContext): Promise<void> {
  for (const action of actions) await runAction(page, action, ctx);
}

async function runAction(page: Page, action: Action, ctx: ActionContext): Promise<void> {
  const { scope } = ctx;
  switch (action.kind) {
    case 'goto': {
      const url = new URL(renderTemplate(action.url, ctx.values, { encode: true }), ctx.origin).toString();
      const response = await openPage(page, url, scope);
      return checkLanding(page, response, { ...ctx, rejected: undefined });
    }
    case 'fill': {
      const value = sourceValue(action.source, ctx.values);
      if (value === undefined) return;
      await requireElement(page, action.selector, ctx);
      return setField(page, action.selector, value);
    }
    case 'select': {
      const value = sourceValue(action.source, ctx.values);
      if (value === undefined) return;
      await requireElement(page, action.selector, ctx);
      const { field, offered } = await page.$eval(action.selector, (element) => {
        const select = element as HTMLSelectElement;
        return { field: select.name || select.id, offered: Array.from(select.options ?? [], (option) => option.value) };
      });
      if (!offered.includes(value)) throw new FormRejectedError(ctx.portal, ctx.stage, { [field || action.selector]: 'not one of the offered options' });
      return setField(page, action.selector, value);
    }
    case 'check': {
      const value = valueAtPath(ctx.values.payload, action.from);
      if (value === undefined) return;
      await requireElement(page, action.selector, ctx);
      await page.$eval(
        action.selector,
        (element, checked) => {
          const box = element as HTMLInputElement;
          if (box.checked === checked) return;
          box.checked = checked;
          box.dispatchEvent(new Event('input', { bubbles: true }));
          box.dispatchEvent(new Event('change', { bubbles: true }));
        },
        value === true,
      );
      return;
    }
    case 'upload': {
      const file = valueAtPath(ctx.values.payload, action.from) as UploadFile | undefined;
      if (file === undefined) return;
      await requireElement(page, action.selector, ctx);
      // Built in the page from the payload's bytes: no file on the engine's disk is ever read.
      await page.$eval(
        action.selector,
        (element, { name, type, base64 }) => {
          const bytes = Uint8Array.from(atob(base64), (char) => char.charCodeAt(0));
          const transfer = new DataTransfer();
          transfer.items.add(new File([bytes], name, { type }));
          const input = element as HTMLInputElement;
          input.files = transfer.files;
          input.dispatchEvent(new Event('input', { bubbles: true }));
          input.dispatchEvent(new Event('change', { bubbles: true }));
        },
        { name: file.name, type: file.type ?? '', base64: file.base64 },
      );
      return;
    }
    case 'click': {
      await requireElement(page, action.selector, ctx);
      ctx.beforeClick?.();
      if (!action.navigates) return page.click(action.selector);
      const response = await clickAndNavigate(page, action.selector, scope);
      return checkLanding(page, response, ctx, action.expectUrl);
    }
    case 'waitFor':
      if (action.selector !== undefined) {
        await page.waitForSelector(action.selector, { timeout: 0, signal: scope.signal });
        return;
      }
      if (action.url) return waitForUrl(page, action.url, scope);
      return;
  }
}

/**
 * `page.goto` that ends on the document it asked for. A navigation still in flight when it starts
 * (a probe that answered as soon as it saw the redirect to the login page) can reach
 * DOMContentLoaded first, and goto then returns while its own document has not replaced that one
 * yet; reading the page at that moment fails with a destroyed execution context.
 */
export async function openPage(page: Page, url: string, scope: OperationScope): Promise<HTTPResponse | null> {
  const response = await page.goto(url, { waitUntil: 'domcontentloaded', timeout: 0, signal: scope.signal });
  if (response && page.url() !== response.url()) {
    // Polled in the page and re-run in each new document, so it sees the one it waits for.
    await page.waitForFunction((expected: string) => location.href === expected && document.readyState !== 'loading', { timeout: 0, signal: scope.signal, polling: 100 }, response.url());
  }
  return response;
}

/** A page the step did not expect: the login page means the session expired. */
export async function expectUrl(page: Page, pattern: RegExp, ctx: Pick<ActionContext, 'portal' | 'stage' | 'session'>): Promise<void> {
  if (urlMatches(pattern, page.url())) return;
  await throwIfLoggedOut(page, ctx);
  throw new UnexpectedPageError(ctx.portal, ctx.stage, currentPath(page));
}

async function checkLanding(page: Page, response: HTTPResponse | null, ctx: ActionContext, expected?: RegExp): Promise<void> {
  const status = response?.status() ?? 0;
  const { rejected } = ctx;
  if (rejected && (rejected.status === undefined || rejected.status === status)) {
    const fields = await rejectedFields(page, rejected);
    if (rejected.status !== undefined || Object.keys(fields).length > 0) throw new FormRejectedError(ctx.portal, ctx.stage, fields);
  }
  await throwIfLoggedOut(page, ctx);
  if (status >= 400 || (expected && !urlMatches(expected, page.url()))) throw new UnexpectedPageError(ctx.portal, ctx.stage, currentPath(page), status || undefined);
}

async function throwIfLoggedOut(page: Page, ctx: Pick<ActionContext, 'portal' | 'stage' | 'session'>): Promise<void> {
  if (ctx.session && (await markerHolds(page, ctx.session.loggedOut))) throw new SessionExpiredError(ctx.portal, `redirected to the login page during ${ctx.stage}`);
}

async function rejectedFields(page: Page, rejected: Rejection): Promise<Record<string, string>> {
  const entries = await page.$$eval(
    rejected.fields.selector,
    (elements, attribute) => elements.map((el) => [attribute === null ? 'form' : (el.getAttribute(attribute) ?? ''), el.textContent?.trim() ?? ''] as const),
    rejected.fields.attribute ?? null,
  );
  const fields: Record<string, string> = {};
  for (const [field, message] of entries) fields[field] = fields[field] ? `${fields[field]} ${message}` : message;
  return fields;
}

/** An element the step needs is missing: the portal shows another page than the file describes. */
async function requireElement(page: Page, selector: string, ctx: ActionContext): Promise<void> {
  if (!(await present(page, selector))) throw new UnexpectedPageError(ctx.portal, ctx.stage, currentPath(page));
}

function sourceValue(source: ValueSource, values: RuntimeValues): string | undefined {
  if ('template' in source) return renderTemplate(source.template, values, { encode: false });
  const value = valueAtPath(values.payload, source.from);
  return value === undefined ? undefined : scalarText(value);
}

/** Resolves once the main frame's URL matches, through however many navigations that takes. */
function waitForUrl(page: Page, pattern: RegExp, scope: OperationScope): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const finish = (settle: () => void) => {
      page.off('framenavigated', onNavigated);
      scope.signal.removeEventListener('abort', onAbort);
      settle();
    };
    const onNavigated = (frame: Frame) => {
      if (frame === page.mainFrame() && urlMatches(pattern, frame.url())) finish(resolve);
    };
    const onAbort = () => finish(() => reject(scope.signal.reason));
    page.on('framenavigated', onNavigated);
    scope.signal.addEventListener('abort', onAbort, { once: true });
    if (scope.signal.aborted) onAbort();
    else if (urlMatches(pattern, page.url())) finish(resolve);
  });
}
