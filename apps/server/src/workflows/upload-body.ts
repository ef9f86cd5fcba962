// Reads an upload's raw bytes (`application/octet-stream`) from the request with a size limit.
// The global body parser is JSON only, so the stream is still unread here. A declared length
// above the limit is refused before reading anything; an undeclared one is counted while it
// arrives and refused the moment it passes the limit (the rest is drained, never stored).
import type { IncomingMessage } from 'node:http';
import { PayloadTooLargeException, UnsupportedMediaTypeException } from '@nestjs/common';

export const UPLOAD_CONTENT_TYPE = 'application/octet-stream';

function tooLarge(limit: number): PayloadTooLargeException {
  return new PayloadTooLargeException({ statusCode: 413, code: 'PAYLOAD_TOO_LARGE', message: `an upload may hold at most ${limit} bytes` });
}

export async function readUploadBody(request: IncomingMessage & { body?: unknown }, limit: number): Promise<Buffer> {
  const type = (request.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  if (type !== UPLOAD_CONTENT_TYPE) {
    throw new UnsupportedMediaTypeException({ statusCode: 415, code: 'UNSUPPORTED_MEDIA_TYPE', message: `send the file as ${UPLOAD_CONTENT_TYPE} with ?name=` });
  }
  // A raw body parser installed in front of us already read it.
  if (Buffer.isBuffer(request.body)) {
    if (request.body.length > limit) throw tooLarge(limit);
    return request.body;
  }
  const declared = Number(request.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) throw tooLarge(limit);
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) {
        chunks.push(chunk);
        return;
      }
      request.off('data', onData);
      request.resume();
      reject(tooLarge(limit));
    };
    request.on('data', onData);
    request.once('end', () => resolve(Buffer.concat(chunks)));
    request.once('error', reject);
  });
}
