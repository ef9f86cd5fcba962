// Small helpers over node:http: cookies, bounded body reading, and the common responses.
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';

export const SESSION_COOKIE = 'ASP.NET_SessionId';
/** Posted forms beyond this size are rejected with a 400 page. */
export const MAX_FORM_BYTES = 16 * 1024;
// Past this the connection is cut instead of drained: nobody posts a megabyte to a login form.
const MAX_DRAIN_BYTES = 1024 * 1024;

const PAGE_HEADERS = {
  'Content-Type': 'text/html; charset=utf-8',
  'Cache-Control': 'private, no-store',
  'X-AspNet-Version': '4.0.30319',
  'X-Powered-By': 'ASP.NET',
};

export function readCookie(req: IncomingMessage, name: string): string | undefined {
  const header = req.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

export function sessionCookie(id: string): string {
  return `${SESSION_COOKIE}=${id}; path=/; HttpOnly; SameSite=Lax`;
}

export function clearedSessionCookie(): string {
  return `${SESSION_COOKIE}=; path=/; HttpOnly; SameSite=Lax; Expires=Thu, 01 Jan 1970 00:00:00 GMT`;
}

export type BodyResult = { ok: true; text: string } | { ok: false; reason: 'oversize' };

/** Reads the request body up to `limit` bytes; a larger one is drained and reported. */
export function readBody(req: IncomingMessage, limit = MAX_FORM_BYTES): Promise<BodyResult> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_DRAIN_BYTES) {
        req.destroy();
        return;
      }
      if (size <= limit) chunks.push(chunk);
    });
    req.on('end', () => resolve(size > limit ? { ok: false, reason: 'oversize' } : { ok: true, text: Buffer.concat(chunks).toString('utf8') }));
    req.on('error', reject);
    req.on('close', () => {
      if (!req.complete) reject(new Error('request body aborted'));
    });
  });
}

export function isFormEncoded(req: IncomingMessage): boolean {
  return (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase() === 'application/x-www-form-urlencoded';
}

export function sendHtml(res: ServerResponse, status: number, html: string, headers: OutgoingHttpHeaders = {}): void {
  res.writeHead(status, { ...PAGE_HEADERS, 'Content-Length': Buffer.byteLength(html), ...headers });
  res.end(html);
}

export function redirect(res: ServerResponse, location: string, headers: OutgoingHttpHeaders = {}): void {
  res.writeHead(302, { Location: location, 'Content-Length': 0, 'Cache-Control': 'private, no-store', ...headers });
  res.end();
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text), 'Cache-Control': 'no-store' });
  res.end(text);
}

export function sendBytes(res: ServerResponse, contentType: string, body: Buffer | string, cacheControl: string): void {
  res.writeHead(200, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(body), 'Cache-Control': cacheControl });
  res.end(body);
}

/** A ReturnUrl we may follow: a path on this site, never another origin. */
export function safeReturnUrl(value: string | null): string | undefined {
  if (!value || !value.startsWith('/') || value.startsWith('//') || value.startsWith('/\\')) return undefined;
  return value;
}
