// Refuses a request body the server would not read as sent (415). Without this, a body in
// another media type (text/plain, a form, XML) was silently skipped by the JSON parser and the
// route saw no body at all: `POST /api/jobs/:id/cancel` with `reason=…` as a form cancelled the
// job as if the body had been empty. Likewise a JSON body declared in a charset other than
// UTF-8 (RFC 8259 allows only UTF-8 between systems) could decode to nothing and pass as `{}`.
// JSON is the API's one body type; raw octet-stream is read by the upload route itself.
import type { IncomingHttpHeaders } from 'node:http';

export const READABLE_BODY_TYPES = ['application/json', 'application/octet-stream'];

interface BodyRequest {
  headers: IncomingHttpHeaders;
  /** Express's media-type match. */
  is(types: string[]): string | false | null;
}

interface JsonResponse {
  status(code: number): { json(body: unknown): void };
}

export function refuseUnreadableBodies(request: BodyRequest, response: JsonResponse, next: () => void): void {
  const hasBody = request.headers['transfer-encoding'] !== undefined || Number(request.headers['content-length'] ?? 0) > 0;
  const type = request.headers['content-type'];
  const charset = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(type ?? '')?.[1].toLowerCase();
  if (!hasBody || (request.is(READABLE_BODY_TYPES) && (charset === undefined || charset === 'utf-8' || charset === 'utf8'))) {
    next();
    return;
  }
  response.status(415).json({
    statusCode: 415,
    code: 'UNSUPPORTED_MEDIA_TYPE',
    message: `a request body must be UTF-8 ${READABLE_BODY_TYPES.join(' or ')} (uploads), not ${type ? JSON.stringify(type.slice(0, 100)) : 'untyped'}`,
  });
}
