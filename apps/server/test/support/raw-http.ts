// Test support: an HTTP client that sends the path exactly as given. supertest (through the
// WHATWG URL parser) resolves `.`/`..`/`%2e` segments before sending, so a traversal attempt
// would never reach the server as written; fuzzing needs the bytes an attacker would send.
import { Agent, request } from 'node:http';

export interface RawResponse {
  status: number;
  text: string;
}

export function rawClient(port: number) {
  const agent = new Agent({ keepAlive: true, maxSockets: 4 });
  return {
    send(method: string, path: string, headers: Record<string, string>, body?: string | Buffer): Promise<RawResponse> {
      return new Promise((resolve, reject) => {
        let settled = false;
        // Node sends a GET's body with neither Content-Length nor chunking, as a second request.
        const length = body === undefined ? {} : { 'Content-Length': String(Buffer.byteLength(body)) };
        const req = request({ host: '127.0.0.1', port, method, path, headers: { ...headers, ...length }, agent }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => {
            settled = true;
            resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString() });
          });
          res.on('error', reject);
        });
        // A server that answers 413 early may close while the body is still being written: the
        // answer already arrived, so that error is not the test's concern.
        req.on('error', (error) => {
          if (!settled) reject(error);
        });
        req.setTimeout(15_000, () => req.destroy(new Error(`${method} ${path.slice(0, 200)}: no answer within 15 s`)));
        req.end(body);
      });
    },
    close: () => agent.destroy(),
  };
}
