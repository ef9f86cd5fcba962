// A download by a workflow's own page: the page fetches a URL of its own origin (given, or the
// target of a link on it) with its cookies, counting the bytes as they arrive and cancelling the
// moment they pass the cap, so a file over the cap is never held whole and never written. The
// bytes come back to the engine, which writes them into the workflow's folder.
import type { Page } from 'puppeteer-core';
import { z } from 'zod/v4';
import { EngineError, ValidationError } from '@engine/core';
import type { OperationScope } from '@engine/browser';
import { FILE_NAME_PATTERN, isSafeFileName } from '@engine/machines';

export const downloadRequestSchema = z
  .object({
    url: z.string().min(1).max(2048).optional().describe("a URL on the page's origin, absolute or relative to the page"),
    selector: z.string().min(1).max(512).optional().describe('a link (or any element with href or src) on the page whose target is fetched'),
    name: z.string().max(128).refine(isSafeFileName, `must match ${FILE_NAME_PATTERN.source} and not contain ..`).describe('the file name in the workflow folder'),
  })
  .strict()
  .refine((r) => (r.url === undefined) !== (r.selector === undefined), { message: 'exactly one of url and selector', path: ['url'] });
export type DownloadRequest = z.infer<typeof downloadRequestSchema>;

export type DownloadFailure = 'no_page' | 'no_link' | 'other_origin' | 'http_status' | 'fetch_failed';

/** The page could not fetch the file: why, and the HTTP status when the server answered with an error. */
export class WorkflowDownloadError extends EngineError {
  constructor(reason: DownloadFailure, message: string, status?: number) {
    super('DOWNLOAD_FAILED', message, { details: { reason, ...(status !== undefined ? { status } : {}) } });
  }
}

/** The file is larger than `workflows.maxDownloadBytes`: nothing was written. */
export class DownloadTooLargeError extends EngineError {
  constructor(limit: number) {
    super('DOWNLOAD_TOO_LARGE', `the download is larger than ${limit} bytes`, { details: { limit } });
  }
}

type InPageResult = { ok: true; base64: string; size: number } | { ok: false; reason: 'too_large' | 'http_status' | 'fetch_failed'; status?: number };

/** Fetches the request's target on the page (its origin only) with at most `maxBytes` bytes. */
export async function downloadOnPage(page: Page, request: DownloadRequest, maxBytes: number, scope: OperationScope): Promise<Uint8Array> {
  const here = URL.canParse(page.url()) ? new URL(page.url()) : undefined;
  if (!here || !/^https?:$/.test(here.protocol)) throw new WorkflowDownloadError('no_page', 'the page shows no http(s) document yet: navigate first');
  let target: string;
  if (request.url !== undefined) {
    if (!URL.canParse(request.url, here)) throw new ValidationError('invalid download', { url: 'not a URL' });
    target = new URL(request.url, here).toString();
    if (new URL(target).origin !== here.origin) throw new ValidationError('invalid download', { url: "must be on the page's origin" });
  } else {
    const selector = request.selector as string;
    const href = await scope.race(
      page.$$eval(selector, (elements) => {
        const element = elements[0] as (Element & { href?: unknown; src?: unknown }) | undefined;
        if (!element) return null;
        const link = typeof element.href === 'string' ? element.href : typeof element.src === 'string' ? element.src : element.getAttribute('href');
        return link ? new URL(link, document.baseURI).toString() : null;
      }),
    );
    if (!href) throw new WorkflowDownloadError('no_link', `no element with a link matches ${selector}`);
    if (!URL.canParse(href) || new URL(href).origin !== here.origin) throw new WorkflowDownloadError('other_origin', "the link leads off the page's origin");
    target = href;
  }
  const result: InPageResult = await scope.race(
    page.evaluate(
      async (url: string, limit: number, timeoutMs: number): Promise<InPageResult> => {
        let response: Response;
        try {
          response = await fetch(url, { credentials: 'same-origin', redirect: 'follow', signal: AbortSignal.timeout(timeoutMs) });
        } catch {
          return { ok: false, reason: 'fetch_failed' };
        }
        // A redirect that left the origin is not the page's own file.
        if (new URL(response.url).origin !== location.origin) return { ok: false, reason: 'fetch_failed' };
        if (!response.ok) return { ok: false, reason: 'http_status', status: response.status };
        const declared = Number(response.headers.get('content-length'));
        if (Number.isFinite(declared) && declared > limit) {
          await response.body?.cancel();
          return { ok: false, reason: 'too_large' };
        }
        const chunks: Uint8Array[] = [];
        let size = 0;
        const reader = response.body?.getReader();
        try {
          for (;;) {
            if (!reader) break;
            const { done, value } = await reader.read();
            if (done) break;
            size += value.byteLength;
            if (size > limit) {
              await reader.cancel();
              return { ok: false, reason: 'too_large' };
            }
            chunks.push(value);
          }
        } catch {
          return { ok: false, reason: 'fetch_failed' };
        }
        let binary = '';
        for (const chunk of chunks) for (let i = 0; i < chunk.length; i += 0x8000) binary += String.fromCharCode(...chunk.subarray(i, i + 0x8000));
        return { ok: true, base64: btoa(binary), size };
      },
      target,
      maxBytes,
      scope.remainingMs(),
    ),
  );
  if (result.ok) return Buffer.from(result.base64, 'base64');
  if (result.reason === 'too_large') throw new DownloadTooLargeError(maxBytes);
  if (result.reason === 'http_status') throw new WorkflowDownloadError('http_status', `the page's server answered HTTP ${result.status}`, result.status);
  throw new WorkflowDownloadError('fetch_failed', 'the page could not fetch the file from its origin');
}
