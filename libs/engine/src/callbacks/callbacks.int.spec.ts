// Completion callbacks on the real engine loop (ActorHost, in-memory store, simulated clock)
// against a real HTTP receiver on 127.0.0.1: a receiver that is down for a minute (and a process
// restart in the middle of the outage) loses nothing; a receiver down for good leaves the
// callback undelivered, listed, and an operator's resend delivers it. Every attempt is a
// recorded event; every delivery is signed. Time is the simulated clock: no test waits for it.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ActorHost, MemorySecretProvider, SimulatedClock, silentLogger } from '@engine/core';
import { MemoryEventStore } from '@engine/event-store';
import { CALLBACK_MACHINE, DEFAULT_CALLBACK_POLICY, JOB_MACHINE, type CallbackPayload, type JobInput } from '@engine/machines';
import { callbackEffects, callbackSignature, DELIVERY_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER } from './callback-delivery';
import { CallbacksApi } from './callbacks-api';

const SECRET_REF = 'secret://callbacks/signing';
const SECRET = 'a-signing-key-of-the-receiver';
const JOB: JobInput = { jobId: 'cb-job-1', portal: 'portal-a', payload: { name: 'Ada' }, businessKey: 'BK-1', steps: ['one'] };

interface Received {
  headers: IncomingMessage['headers'];
  body: string;
  answered: number;
  atMs: number;
}

describe('completion callbacks (host, simulated clock, HTTP receiver on loopback)', () => {
  let server: Server;
  let url: string;
  let received: Received[];
  /** The receiver's answer for a request arriving at simulated time `atMs`. */
  let answer: (atMs: number) => number;
  let clock: SimulatedClock;
  let store: MemoryEventStore;
  const hosts: ActorHost[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      req.on('end', () => {
        const status = answer(clock.now());
        received.push({ headers: req.headers, body, answered: status, atMs: clock.now() });
        res.writeHead(status, { 'content-type': 'text/plain' }).end(status < 300 ? 'ok' : 'down for maintenance');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/jobs`;
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  beforeEach(() => {
    received = [];
    clock = new SimulatedClock(Date.UTC(2026, 11, 1, 9, 0, 0));
    store = new MemoryEventStore();
  });

  afterEach(async () => {
    await Promise.all(hosts.splice(0).map((h) => h.stop(1_000)));
  });

  /** One engine process: host, delivery effect and the callbacks facade on the shared store and clock. */
  async function boot(): Promise<{ host: ActorHost; callbacks: CallbacksApi }> {
    const secrets = new MemorySecretProvider().set(SECRET_REF, { username: 'callbacks', password: SECRET });
    const host = new ActorHost({ store, clock, definitions: [JOB_MACHINE, CALLBACK_MACHINE], effects: callbackEffects({ clock, secrets, secretRef: SECRET_REF }) });
    hosts.push(host);
    const callbacks = new CallbacksApi({ host, clock, logger: silentLogger, globalUrl: null, enabled: true, policy: DEFAULT_CALLBACK_POLICY });
    await host.start();
    await callbacks.start();
    return { host, callbacks };
  }

  /** Fires the callback's retry timer (advancing the simulated clock to it) and lets the attempt finish. */
  async function fireRetry(host: ActorHost): Promise<boolean> {
    const timer = host.feed.getOf(CALLBACK_MACHINE, JOB.jobId)?.state.timers.retry;
    if (!timer) return false;
    await clock.advance(Math.max(0, timer.dueAt - clock.now()));
    await host.idle();
    return true;
  }

  async function endJob(host: ActorHost, callbacks: CallbacksApi): Promise<void> {
    await host.create(JOB_MACHINE, JOB.jobId, JOB);
    await callbacks.register(JOB.jobId, url);
    await host.sendTo(JOB_MACHINE, JOB.jobId, { type: 'CANCEL', reason: 'customer withdrew', at: new Date(clock.now()).toISOString() });
    await host.idle();
  }

  it('a receiver down for a minute, and a restart during the outage, lose nothing: delivered once it is back', async () => {
    const downUntil = clock.now() + 60_000;
    answer = (atMs) => (atMs < downUntil ? 503 : 204);
    const first = await boot();
    await endJob(first.host, first.callbacks);
    expect(received.map((r) => r.answered)).toEqual([503]);

    // Half-way through the outage the process stops; a new one takes over the same log.
    while (clock.now() < downUntil - 30_000) expect(await fireRetry(first.host)).toBe(true);
    await first.host.stop(1_000);
    const second = await boot();
    for (let n = 0; n < 20 && second.callbacks.get(JOB.jobId).state !== 'delivered'; n++) expect(await fireRetry(second.host)).toBe(true);

    const view = second.callbacks.get(JOB.jobId);
    expect(view).toMatchObject({ state: 'delivered', deliveredStatus: 204, resends: 0 });
    expect(received.filter((r) => r.answered === 204)).toHaveLength(1);
    expect(received.every((r, i) => i === received.length - 1 || r.answered === 503)).toBe(true);
    expect(view.attempts).toBe(received.length);
    // Every attempt is in the log: one DELIVERY_FAILED per 503, one DELIVERED.
    const events = await store.read(`callback-${JOB.jobId}`);
    expect(events.filter((e) => e.type === 'DELIVERY_FAILED')).toHaveLength(received.length - 1);
    expect(events.filter((e) => e.type === 'DELIVERED')).toHaveLength(1);
    // Waits doubled with jitter (each within [d/2, d] of its doubling ceiling), so the retries thinned out.
    const gaps = received.slice(1).map((r, i) => r.atMs - received[i].atMs);
    gaps.slice(0, -1).forEach((gap, i) => {
      const ceiling = Math.min(DEFAULT_CALLBACK_POLICY.maxDelayMs, DEFAULT_CALLBACK_POLICY.minDelayMs * 2 ** i);
      expect(gap).toBeGreaterThanOrEqual(Math.floor(ceiling / 2));
      expect(gap).toBeLessThanOrEqual(ceiling);
    });
    // Same body every time, signed, one delivery id per attempt.
    const bodies = new Set(received.map((r) => r.body));
    expect(bodies.size).toBe(1);
    const payload = JSON.parse(received[0].body) as CallbackPayload;
    expect(payload).toMatchObject({ event: 'job.finished', jobId: JOB.jobId, portal: 'portal-a', state: 'cancelled', reference: null });
    for (const r of received) {
      const timestamp = String(r.headers[TIMESTAMP_HEADER]);
      expect(r.headers[SIGNATURE_HEADER]).toBe(callbackSignature(SECRET, timestamp, r.body));
      expect(r.headers['content-type']).toBe('application/json');
    }
    expect(new Set(received.map((r) => r.headers[DELIVERY_HEADER])).size).toBe(received.length);
    expect(JSON.stringify(events)).not.toContain(SECRET);
  });

  it('a receiver down for good: undelivered after its attempts, listed, and delivered by an operator resend', async () => {
    answer = () => 500;
    const { host, callbacks } = await boot();
    await endJob(host, callbacks);
    while (await fireRetry(host));
    expect(received).toHaveLength(DEFAULT_CALLBACK_POLICY.maxAttempts);
    expect(callbacks.list({ state: 'undelivered' }).map((c) => c.jobId)).toEqual([JOB.jobId]);
    expect(callbacks.get(JOB.jobId)).toMatchObject({ state: 'undelivered', nextAttemptAt: null, lastFailure: { status: 500, code: 'HTTP_500' } });

    answer = () => 200;
    const resent = await callbacks.resend(JOB.jobId, 'operator-1');
    expect(resent.resends).toBe(1);
    await host.idle();
    expect(callbacks.get(JOB.jobId)).toMatchObject({ state: 'delivered', deliveredStatus: 200 });
    expect(callbacks.list({ state: 'undelivered' })).toEqual([]);
    // Delivered: a second resend is refused and records nothing.
    const before = (await store.read(`callback-${JOB.jobId}`)).length;
    await expect(callbacks.resend(JOB.jobId, 'operator-1')).rejects.toMatchObject({ code: 'INVALID_COMMAND' });
    expect((await store.read(`callback-${JOB.jobId}`)).length).toBe(before);
  });

  it('a receiver that cannot be reached is a recorded failure with the network code, not a crash', async () => {
    answer = () => 204;
    const { host, callbacks } = await boot();
    await host.create(JOB_MACHINE, JOB.jobId, JOB);
    // A port nothing listens on: the listener's own port, closed again.
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const deadUrl = `http://127.0.0.1:${(closed.address() as AddressInfo).port}/hook`;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    await callbacks.register(JOB.jobId, deadUrl);
    await host.sendTo(JOB_MACHINE, JOB.jobId, { type: 'CANCEL', reason: 'customer withdrew', at: new Date(clock.now()).toISOString() });
    await host.idle();
    expect(callbacks.get(JOB.jobId)).toMatchObject({ state: 'waiting', lastFailure: { status: null, code: 'ECONNREFUSED' } });
  });

  it('refuses bad callback URLs, and any URL without a signing secret, before anything is recorded', async () => {
    const { host, callbacks } = await boot();
    expect(() => callbacks.urlFor('ftp://example.org/x')).toThrow(expect.objectContaining({ code: 'VALIDATION_FAILED', fields: { callbackUrl: 'must use http or https' } }));
    expect(() => callbacks.urlFor(`https://example.org/${'x'.repeat(2100)}`)).toThrow(expect.objectContaining({ fields: { callbackUrl: 'must be at most 2048 characters' } }));
    const unsigned = new CallbacksApi({ host, clock, logger: silentLogger, globalUrl: null, enabled: false, policy: DEFAULT_CALLBACK_POLICY });
    expect(() => unsigned.urlFor('https://example.org/hook')).toThrow(expect.objectContaining({ fields: { callbackUrl: expect.stringMatching(/not configured/) } }));
    expect(callbacks.urlFor(undefined)).toBeNull();
    expect(await store.readAll(0, 10)).toEqual([]);
  });
});
