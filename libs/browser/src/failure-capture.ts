// Saves the evidence of a failed step: full-page screenshot, HTML, URL and console errors. Each
// part is best effort (a crashed page still yields its URL), and what could not be captured is
// listed instead of failing the capture. Typed secrets are kept out: password inputs and the
// captcha answer are blanked in the saved HTML, and secret-looking query values in the URL.
import type { Page } from 'puppeteer-core';
import type { ArtifactStore } from './artifact-store';
import { runOperation, type OperationOptions } from '@portal-engine/adapter-kit';

export interface FailureContext extends OperationOptions {
  store: ArtifactStore;
  /** A safe label such as a job id and stage; it ends up, slugged, in the file names. */
  label: string;
  consoleErrors?: readonly string[];
}

export interface FailureArtifacts {
  screenshot?: string;
  html?: string;
  url?: string;
  console?: string;
  /** Parts that could not be captured, e.g. `screenshot` of a crashed page. */
  missing: Array<'screenshot' | 'html' | 'url' | 'console'>;
}

const SECRET_PARAM = /pass|pwd|token|secret|session|auth|key|captcha|otp/i;

export function captureFailure(page: Page, context: FailureContext): Promise<FailureArtifacts> {
  return runOperation('capture failure', context, async (scope) => {
    const { store, label } = context;
    const result: FailureArtifacts = { missing: [] };
    const attempt = async (part: keyof Omit<FailureArtifacts, 'missing'>, produce: () => Promise<string | undefined>) => {
      try {
        result[part] = await scope.race(produce());
      } catch {
        if (scope.signal.aborted) throw scope.signal.reason;
        result.missing.push(part);
      }
    };
    await attempt('screenshot', async () => store.save('screenshot', label, Buffer.from(await page.screenshot({ fullPage: true, type: 'png' }))));
    await attempt('html', async () => store.save('html', label, await page.evaluate(serializeWithoutSecrets)));
    await attempt('url', () => store.save('url', label, redactUrl(page.url())));
    await attempt('console', () => store.save('console', label, JSON.stringify(context.consoleErrors ?? [], null, 2)));
    return result;
  });
}

/** Runs in the page: the DOM as HTML, with password and captcha values removed from a copy. */
function serializeWithoutSecrets(): string {
  const copy = document.documentElement.cloneNode(true) as HTMLElement;
  for (const input of Array.from(copy.querySelectorAll('input'))) {
    if (input.type === 'password' || /captcha/i.test(input.name + input.id)) input.removeAttribute('value');
  }
  return `<!doctype html>\n${copy.outerHTML}`;
}

export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    for (const key of [...parsed.searchParams.keys()]) if (SECRET_PARAM.test(key)) parsed.searchParams.set(key, 'redacted');
    parsed.username = '';
    parsed.password = '';
    return parsed.toString();
  } catch {
    return 'unparseable-url';
  }
}
