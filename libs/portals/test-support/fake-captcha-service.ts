// A local stand-in for a captcha-solving service with the common submit-then-poll API
// (`POST /in.php`, `GET /res.php`), on 127.0.0.1, for the HTTP solver's tests. Its people are a
// function: `answer` reads the image and gives the text (or an ERROR_… code). Each poll is
// answered CAPCHA_NOT_READY `notReadyPolls` times first; `submitError` / `httpStatus` make the
// service refuse. It records what it received so tests can check the key went only where it belongs.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeCaptchaServiceOptions {
  /** The only API key the service accepts. */
  key: string;
  /** Reads a captcha: its text, or an error code starting with ERROR_. Default: always 'ANSWER'. */
  answer?: (image: Buffer) => string | Promise<string>;
  notReadyPolls?: number;
}

export interface FakeCaptchaService {
  readonly url: string;
  /** Images submitted, in order. */
  readonly submitted: Buffer[];
  /** Poll requests received (all ids). */
  readonly polls: number;
  /** Every request's method and path with its query, as received (the key included). */
  readonly requests: string[];
  /** Changes how the service behaves from the next request on. */
  set(behaviour: Partial<FakeCaptchaBehaviour>): void;
  /** Resolves once the service has received this many polls. */
  pollsReached(count: number): Promise<void>;
  close(): Promise<void>;
}

export interface FakeCaptchaBehaviour {
  answer: (image: Buffer) => string | Promise<string>;
  notReadyPolls: number;
  /** Submit answers `{ status: 0, request: submitError }`. */
  submitError: string | null;
  /** Every request answers this HTTP status with no JSON. */
  httpStatus: number | null;
  /** Never ready: every poll is CAPCHA_NOT_READY. */
  neverReady: boolean;
}

export async function startFakeCaptchaService(options: FakeCaptchaServiceOptions): Promise<FakeCaptchaService> {
  const behaviour: FakeCaptchaBehaviour = { answer: options.answer ?? (() => 'ANSWER'), notReadyPolls: options.notReadyPolls ?? 0, submitError: null, httpStatus: null, neverReady: false };
  const tasks = new Map<string, { image: Buffer; polls: number }>();
  const submitted: Buffer[] = [];
  const requests: string[] = [];
  const pollWaiters: Array<{ count: number; resolve: () => void }> = [];
  let polls = 0;
  let nextId = 1;

  const server: Server = createServer((req, res) => {
    const send = (body: { status: number; request: string }) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    requests.push(`${req.method} ${req.url}`);
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      if (behaviour.httpStatus !== null) {
        res.writeHead(behaviour.httpStatus);
        return res.end('down');
      }
      if (req.method === 'POST' && url.pathname === '/in.php') {
        const form = new URLSearchParams(await readBody(req));
        if (form.get('key') !== options.key) return send({ status: 0, request: 'ERROR_WRONG_USER_KEY' });
        if (form.get('method') !== 'base64' || form.get('json') !== '1' || !form.get('body')) return send({ status: 0, request: 'ERROR_WRONG_REQUEST' });
        if (behaviour.submitError) return send({ status: 0, request: behaviour.submitError });
        const image = Buffer.from(form.get('body') ?? '', 'base64');
        submitted.push(image);
        const id = String(nextId++);
        tasks.set(id, { image, polls: 0 });
        return send({ status: 1, request: id });
      }
      if (req.method === 'GET' && url.pathname === '/res.php') {
        polls += 1;
        for (const waiter of pollWaiters.filter((w) => polls >= w.count)) waiter.resolve();
        if (url.searchParams.get('key') !== options.key) return send({ status: 0, request: 'ERROR_WRONG_USER_KEY' });
        const task = tasks.get(url.searchParams.get('id') ?? '');
        if (url.searchParams.get('action') !== 'get' || !task) return send({ status: 0, request: 'ERROR_WRONG_CAPTCHA_ID' });
        task.polls += 1;
        if (behaviour.neverReady || task.polls <= behaviour.notReadyPolls) return send({ status: 0, request: 'CAPCHA_NOT_READY' });
        const text = await behaviour.answer(task.image);
        return send(text.startsWith('ERROR_') ? { status: 0, request: text } : { status: 1, request: text });
      }
      res.writeHead(404);
      res.end();
    })().catch(() => {
      res.writeHead(500);
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    submitted,
    get polls() {
      return polls;
    },
    requests,
    set: (change) => Object.assign(behaviour, change),
    pollsReached: (count) => (polls >= count ? Promise.resolve() : new Promise((resolve) => pollWaiters.push({ count, resolve }))),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
