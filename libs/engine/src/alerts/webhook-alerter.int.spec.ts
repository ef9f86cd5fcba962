// The webhook adapter against a real node:http server on loopback: what it posts (the alert's
// JSON or a Slack-compatible message, with a link to the inspector when the server's public URL
// is known), and that a non-2xx answer, a hang, an abort and a refused connection are errors
// that never quote the URL.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AbortedError, TimeoutError, type Alert } from '@engine/core';
import { AlertDeliveryError } from './alert-delivery-error';
import { WebhookAlerter } from './webhook-alerter';

const ALERT: Alert = { id: 'portal-a:recovery-1', level: 'critical', code: 'RECOVERY_EXHAUSTED', portal: 'portal-a', message: 'recovery exhausted', at: '2026-01-01T00:00:00.000Z' };
const PATH_TOKEN = 'T0KEN-in-path-9f8e7d';

interface Received {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

describe('WebhookAlerter', () => {
  let server: Server;
  let base: string;
  const received: Received[] = [];
  let answer: (res: ServerResponse) => void = (res) => res.writeHead(204).end();

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk) => (body += chunk));
      req.on('end', () => {
        received.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
        answer(res);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  beforeEach(() => {
    received.length = 0;
    answer = (res) => res.writeHead(204).end();
  });

  it('POSTs the alert as JSON to the configured URL', async () => {
    await new WebhookAlerter({ url: `${base}/hooks/${PATH_TOKEN}`, headers: { 'x-team': 'ops' } }).send(ALERT);
    expect(received).toHaveLength(1);
    expect(received[0].method).toBe('POST');
    expect(received[0].url).toBe(`/hooks/${PATH_TOKEN}`);
    expect(received[0].headers['content-type']).toBe('application/json');
    expect(received[0].headers['x-team']).toBe('ops');
    expect(JSON.parse(received[0].body)).toEqual(ALERT);
  });

  it('adds the inspector link of the portal\'s master session to the JSON when the public URL is known', async () => {
    await new WebhookAlerter({ url: `${base}/hook`, publicUrl: 'https://engine.example.org/ops/' }).send(ALERT);
    expect(JSON.parse(received[0].body)).toEqual({ ...ALERT, link: 'https://engine.example.org/ops/inspector#/stream/master-portal-a' });
  });

  it('posts a Slack-compatible message: text and a section block with level, code, portal, message and the link, nothing of the webhook URL', async () => {
    const alerter = new WebhookAlerter({ url: `http://ops:s3cret-pw@127.0.0.1:${new URL(base).port}/services/${PATH_TOKEN}`, format: 'slack', publicUrl: 'https://engine.example.org' });
    await alerter.send(ALERT);
    expect(received).toHaveLength(1);
    expect(received[0].headers['content-type']).toBe('application/json');
    const body = JSON.parse(received[0].body);
    const link = 'https://engine.example.org/inspector#/stream/master-portal-a';
    expect(Object.keys(body).sort()).toEqual(['blocks', 'text']);
    expect(body.text).toBe(`[CRITICAL] RECOVERY_EXHAUSTED on portal-a: recovery exhausted ${link}`);
    expect(body.blocks).toEqual([
      {
        type: 'section',
        text: { type: 'mrkdwn', text: `*CRITICAL* RECOVERY_EXHAUSTED on portal-a\nrecovery exhausted\n<${link}|Open in the inspector>` },
        fields: [
          { type: 'mrkdwn', text: '*Level*\ncritical' },
          { type: 'mrkdwn', text: '*Code*\nRECOVERY_EXHAUSTED' },
          { type: 'mrkdwn', text: '*Portal*\nportal-a' },
          { type: 'mrkdwn', text: `*At*\n${ALERT.at}` },
        ],
      },
    ]);
    expect(received[0].body).not.toContain(PATH_TOKEN);
    expect(received[0].body).not.toContain('s3cret-pw');
  });

  it('posts a Slack-compatible message without a link when the public URL is not known', async () => {
    await new WebhookAlerter({ url: `${base}/hook`, format: 'slack' }).send({ ...ALERT, portal: undefined, level: 'warning', message: 'rate <!channel> & more' });
    const body = JSON.parse(received[0].body);
    expect(body.text).toBe('[WARNING] RECOVERY_EXHAUSTED: rate &lt;!channel&gt; &amp; more');
    expect(body.blocks[0].text.text).toBe('*WARNING* RECOVERY_EXHAUSTED\nrate &lt;!channel&gt; &amp; more');
    expect(received[0].body).not.toContain('inspector');
  });

  it('refuses a format it does not know', () => {
    expect(() => new WebhookAlerter({ url: `${base}/hook`, format: 'xml' as never })).toThrow(RangeError);
  });

  it('sends URL credentials as basic auth and keeps them (and the path) out of target and errors', async () => {
    answer = (res) => res.writeHead(503).end('down');
    const alerter = new WebhookAlerter({ url: `http://ops:s3cret-pw@127.0.0.1:${new URL(base).port}/hooks/${PATH_TOKEN}` });
    const error = await alerter.send(ALERT).catch((e: unknown) => e);
    expect(received[0].headers.authorization).toBe(`Basic ${Buffer.from('ops:s3cret-pw').toString('base64')}`);
    expect(error).toBeInstanceOf(AlertDeliveryError);
    expect((error as AlertDeliveryError).details).toMatchObject({ status: 503, target: base });
    const visible = `${(error as Error).message} ${JSON.stringify((error as AlertDeliveryError).details)} ${alerter.target}`;
    expect(visible).not.toContain('s3cret-pw');
    expect(visible).not.toContain(PATH_TOKEN);
  });

  it('treats any non-2xx answer as an error, a redirect included', async () => {
    answer = (res) => res.writeHead(302, { location: '/elsewhere' }).end();
    const error = await new WebhookAlerter({ url: `${base}/hook` }).send(ALERT).catch((e: unknown) => e);
    expect((error as AlertDeliveryError).details).toMatchObject({ status: 302 });
    expect(received).toHaveLength(1); // not followed
  });

  it('gives up at its deadline when the receiver never answers', async () => {
    answer = () => undefined; // hold the request open
    const error = await new WebhookAlerter({ url: `${base}/hook`, timeoutMs: 200 }).send(ALERT).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    expect((error as Error).message).not.toContain('/hook');
  });

  it('stops when the caller aborts', async () => {
    answer = () => undefined;
    const controller = new AbortController();
    const sending = new WebhookAlerter({ url: `${base}/hook`, timeoutMs: 30_000 }).send(ALERT, { signal: controller.signal });
    await new Promise((resolve) => setTimeout(resolve, 50));
    controller.abort(new Error('engine stopping'));
    await expect(sending).rejects.toBeInstanceOf(AbortedError);
  });

  it('reports a refused connection with its code only', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const error = await new WebhookAlerter({ url: `http://127.0.0.1:${port}/hooks/${PATH_TOKEN}` }).send(ALERT).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AlertDeliveryError);
    expect((error as AlertDeliveryError).details.cause).toBe('ECONNREFUSED');
    expect((error as Error).message).not.toContain(PATH_TOKEN);
  });

  it('refuses a URL that is not http(s)', () => {
    expect(() => new WebhookAlerter({ url: 'file:///etc/passwd' })).toThrow(RangeError);
  });
});
