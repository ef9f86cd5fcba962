// The session pool on the real engine loop (ActorHost, in-memory store, simulated clock) with
// fake sessions: leases always released, refreshes never under a holder, expiry of an abandoned
// lease (also across an engine crash), least-recently-used eviction, and a log free of secrets.
import { AbortedError, ActorHost, SequentialIdGenerator, SimulatedClock, ValidationError } from '@engine/core';
import { MemoryEventStore } from '@engine/event-store';
import { POOLED_SESSION_MACHINE } from '@engine/machines';
import { ProcessClock } from '@engine/machines/testing';
import { LeaseRevokedError, PoolExhaustedError, PoolSessionUnavailableError } from './pool-errors';
import { poolKey, type PoolCredentials } from './pool-key';
import { FakeSessions } from './pool-test-kit';
import { SessionPool } from './session-pool';

const SEC = 1_000;
const AGENT: PoolCredentials = { portal: 'portal-a', username: 'agent', password: 'Secr3t!pass' };
const OTHER: PoolCredentials = { portal: 'portal-a', username: 'clerk', password: 'An0ther!pw' };
const THIRD: PoolCredentials = { portal: 'portal-a', username: 'auditor', password: 'Th1rd!pw' };

describe('SessionPool', () => {
  let store: MemoryEventStore;
  let clock: SimulatedClock;
  let sessions: FakeSessions;
  let pool: SessionPool<import('./pool-test-kit').FakeSession>;
  let host: ActorHost;
  const hosts: ActorHost[] = [];

  function boot(processClock: ProcessClock | SimulatedClock = clock, maxSize = 2) {
    const p = new SessionPool({ factory: sessions, clock: processClock, ids: new SequentialIdGenerator(), maxSize, refreshMs: 60 * SEC, leaseTtlMs: 300 * SEC });
    const h = new ActorHost({ store, clock: processClock, definitions: [POOLED_SESSION_MACHINE], effects: p.effects() });
    hosts.push(h);
    return { pool: p.attach(h), host: h };
  }

  beforeEach(() => {
    store = new MemoryEventStore();
    clock = new SimulatedClock();
    sessions = new FakeSessions();
    ({ pool, host } = boot());
  });

  afterEach(async () => {
    await Promise.all(hosts.splice(0).map((h) => h.stop(100)));
  });

  const stream = (credentials: PoolCredentials) => `pool-${poolKey(credentials)}`;
  const state = async (credentials: PoolCredentials) => (await host.getStateOf(POOLED_SESSION_MACHINE, poolKey(credentials)))!.state;
  const hold = (ms: number) => () => new Promise<void>((resolve) => clock.schedule(clock.now() + ms, resolve));

  it('opens one session per credentials and reuses it; stream names and events carry the hash only', async () => {
    expect(await pool.withSession(AGENT, async (s) => s.id)).toBe(1);
    expect(await pool.withSession(AGENT, async (s) => s.id)).toBe(1);
    expect(sessions.opened()).toBe(1);
    expect(stream(AGENT)).toMatch(/^pool-[0-9a-f]{64}$/);
    const log = JSON.stringify(await store.readAll());
    expect(log).not.toContain('agent');
    expect(log).not.toContain('Secr3t!pass');
    expect((await state(AGENT)).value).toBe('idle');
  });

  it('releases when fn returns', async () => {
    await pool.withSession(AGENT, async () => 'done');
    expect((await state(AGENT)).context.lease).toBeNull();
    expect((await state(AGENT)).value).toBe('idle');
  });

  it('releases when fn throws, and the error reaches the caller', async () => {
    await expect(pool.withSession(AGENT, async () => Promise.reject(new Error('form rejected')))).rejects.toThrow('form rejected');
    expect((await state(AGENT)).value).toBe('idle');
    expect(await pool.withSession(AGENT, async (s) => s.id)).toBe(1);
  });

  it('releases when the caller aborts: the holder hears it through its signal', async () => {
    const controller = new AbortController();
    let heard: unknown;
    const running = pool.withSession(
      AGENT,
      (_session, signal) =>
        new Promise((_, reject) =>
          signal.addEventListener('abort', () => {
            heard = signal.reason;
            reject(signal.reason);
          }),
        ),
      { signal: controller.signal },
    );
    await clock.advance(0);
    expect((await state(AGENT)).value).toBe('leased');
    controller.abort(new Error('job cancelled'));
    await expect(running).rejects.toBeInstanceOf(AbortedError);
    expect(heard).toBeInstanceOf(AbortedError);
    expect((await state(AGENT)).value).toBe('idle');
  });

  it('a caller aborted while waiting for the session never gets it', async () => {
    const first = pool.withSession(AGENT, hold(10 * SEC));
    await clock.advance(0);
    const controller = new AbortController();
    const second = pool.withSession(AGENT, async () => 'never', { signal: controller.signal });
    controller.abort();
    await expect(second).rejects.toBeInstanceOf(AbortedError);
    await clock.advance(10 * SEC);
    await first;
    expect((await state(AGENT)).context.leases).toBe(1);
  });

  it('one holder at a time: concurrent callers of one key take turns', async () => {
    let inside = 0;
    let most = 0;
    const work = async () => {
      inside += 1;
      most = Math.max(most, inside);
      await hold(5 * SEC)();
      inside -= 1;
    };
    const all = Promise.all([1, 2, 3].map(() => pool.withSession(AGENT, work)));
    for (let i = 0; i < 4; i++) await clock.advance(5 * SEC);
    await all;
    expect(most).toBe(1);
    expect((await state(AGENT)).context.leases).toBe(3);
    expect(sessions.opened()).toBe(1);
  });

  it('refreshes an idle session every refresh interval (durable timer)', async () => {
    await pool.withSession(AGENT, async () => undefined);
    await clock.advance(60 * SEC);
    await clock.advance(60 * SEC);
    expect(sessions.sessions[0].refreshes).toBe(2);
    expect((await store.read(stream(AGENT))).filter((e) => e.type === 'REFRESHED')).toHaveLength(2);
  });

  it('never refreshes under a holder; refreshes right after the release', async () => {
    const holding = pool.withSession(AGENT, hold(150 * SEC));
    await clock.advance(0); // opened and leased
    expect((await state(AGENT)).value).toBe('leased');
    await clock.advance(149 * SEC); // two refresh intervals pass during the lease
    expect(sessions.sessions[0].refreshes).toBe(0);
    expect((await state(AGENT)).context.refreshDue).toBe(true);
    await clock.advance(1 * SEC);
    await holding;
    expect(sessions.sessions[0].refreshes).toBe(1);
    expect((await state(AGENT)).value).toBe('idle');
  });

  it('a crashed holder\'s lease expires on its durable timer; the holder\'s signal fires and the next caller gets the session', async () => {
    const abandoned = await pool.lease(AGENT); // the holder dies without releasing
    await clock.advance(299 * SEC);
    expect((await state(AGENT)).value).toBe('leased');
    await clock.advance(1 * SEC);
    expect(abandoned.signal.aborted).toBe(true);
    expect(abandoned.signal.reason).toBeInstanceOf(LeaseRevokedError);
    expect((await state(AGENT)).context).toMatchObject({ lease: null, expiredLeases: 1 });
    expect(await pool.withSession(AGENT, async (s) => s.id)).toBe(1);
    await abandoned.release(); // a late release changes nothing
    expect((await state(AGENT)).context.leases).toBe(2);
  });

  it('the lease expires even when the engine crashed while it was held (timer restored from the log)', async () => {
    await Promise.all(hosts.splice(0).map((h) => h.stop(0)));
    const first = new ProcessClock(clock);
    const one = boot(first);
    await one.pool.lease(AGENT);
    first.crash();

    const two = boot(new ProcessClock(clock));
    host = two.host;
    const report = await two.host.start();
    expect(report.timersArmed).toBe(2); // refresh and lease expiry
    await clock.advance(300 * SEC);
    expect((await state(AGENT)).context.expiredLeases).toBe(1);
    // The restored session has no browser in this process: the pool reopens it for the next caller.
    expect(await two.pool.withSession(AGENT, async (s) => s.id)).toBe(2);
  });

  it('at the maximum size evicts the least recently used idle session and closes it', async () => {
    await pool.withSession(AGENT, async () => undefined);
    await clock.advance(SEC);
    await pool.withSession(OTHER, async () => undefined);
    await clock.advance(SEC);
    await pool.withSession(AGENT, async () => undefined); // OTHER is now the least recently used
    await clock.advance(SEC);
    await pool.withSession(THIRD, async () => undefined);

    expect(await pool.size()).toBe(2);
    expect((await state(OTHER)).value).toBe('evicted');
    expect(sessions.sessions.find((s) => s.username === 'clerk')?.closed).toBe(true);
    expect((await state(AGENT)).value).toBe('idle');

    await pool.withSession(OTHER, async () => undefined); // comes back; AGENT is now the LRU
    expect((await state(AGENT)).value).toBe('evicted');
    expect(sessions.opened('clerk')).toBe(2);
  });

  it('does not evict a leased session: a full pool of holders refuses with PoolExhaustedError', async () => {
    await Promise.all(hosts.splice(0).map((h) => h.stop(0)));
    ({ pool, host } = boot(clock, 1));
    const lease = await pool.lease(AGENT);
    await expect(pool.withSession(OTHER, async () => undefined)).rejects.toBeInstanceOf(PoolExhaustedError);
    expect((await state(AGENT)).value).toBe('leased');
    await lease.release();
  });

  it('a refresh that finds the portal session ended expires and closes it; the next caller gets a fresh one', async () => {
    await pool.withSession(AGENT, async () => undefined);
    sessions.refreshVerdicts.push({ ok: false, reason: 'login-form' });
    await clock.advance(60 * SEC);
    expect((await state(AGENT)).value).toBe('expired');
    expect(sessions.sessions[0].closed).toBe(true);
    expect(await pool.withSession(AGENT, async (s) => s.id)).toBe(2);
  });

  it('a session that cannot be opened is reported with its code, never with the credentials', async () => {
    sessions.failOpens = 1;
    const error = await pool.withSession(AGENT, async () => undefined).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PoolSessionUnavailableError);
    expect((error as PoolSessionUnavailableError).details.reason).toBe('LOGIN_REFUSED');
    expect(JSON.stringify({ message: (error as Error).message, details: (error as PoolSessionUnavailableError).details })).not.toMatch(/agent|Secr3t/);
    expect(await pool.withSession(AGENT, async (s) => s.id)).toBe(1); // reopened on the next call
  });

  it('refuses a lease without a future expiry instead of spinning on a refused LEASE', async () => {
    await expect(pool.withSession(AGENT, async () => undefined, { ttlMs: 0 })).rejects.toBeInstanceOf(ValidationError);
    expect(() => new SessionPool({ factory: sessions, clock, maxSize: 0 })).toThrow(ValidationError);
  });

  it('close() closes every session, revoking a holder\'s lease', async () => {
    await pool.withSession(OTHER, async () => undefined);
    const lease = await pool.lease(AGENT);
    await pool.close();
    expect(lease.signal.reason).toBeInstanceOf(LeaseRevokedError);
    expect(sessions.sessions.every((s) => s.closed)).toBe(true);
    expect((await state(AGENT)).value).toBe('closed');
    expect(await pool.size()).toBe(0);
  });
});
