import { SessionStore } from './session-store';

const MINUTE = 60_000;

function setup(options: { singleSessionPerUser?: boolean } = {}) {
  let now = 1_000_000;
  const store = new SessionStore({
    idleTtlMs: 20 * MINUTE,
    absoluteTtlMs: 60 * MINUTE,
    singleSessionPerUser: options.singleSessionPerUser ?? false,
    now: () => now,
  });
  return { store, advance: (ms: number) => (now += ms) };
}

describe('SessionStore', () => {
  it('keeps a session alive while it is used within the idle TTL', () => {
    const { store, advance } = setup();
    const session = store.create('agent');
    advance(19 * MINUTE);
    expect(store.touch(session.id)).toBe(session);
    advance(19 * MINUTE);
    expect(store.touch(session.id)).toBe(session);
  });

  it('expires a session idle for longer than the idle TTL', () => {
    const { store, advance } = setup();
    const session = store.create('agent');
    advance(20 * MINUTE + 1);
    expect(store.touch(session.id)).toBeUndefined();
    expect(store.activeCount()).toBe(0);
  });

  it('expires a busy session at the absolute TTL', () => {
    const { store, advance } = setup();
    const session = store.create('agent');
    for (let elapsed = 0; elapsed < 60 * MINUTE; elapsed += 10 * MINUTE) {
      expect(store.touch(session.id)).toBe(session);
      advance(10 * MINUTE);
    }
    advance(1);
    expect(store.touch(session.id)).toBeUndefined();
  });

  it('does not revive an expired session by counting', () => {
    const { store, advance } = setup();
    store.create('agent');
    store.create('agent');
    expect(store.activeCount()).toBe(2);
    advance(21 * MINUTE);
    expect(store.activeCount()).toBe(0);
  });

  it('kills the sessions of one user, or all', () => {
    const { store } = setup();
    const a1 = store.create('agent');
    store.create('agent');
    const b = store.create('other');
    expect(store.kill('agent')).toBe(2);
    expect(store.touch(a1.id)).toBeUndefined();
    expect(store.touch(b.id)).toBe(b);
    expect(store.kill()).toBe(1);
    expect(store.activeCount()).toBe(0);
  });

  it('ends the older session of a user when one session per user is enforced', () => {
    const { store } = setup({ singleSessionPerUser: true });
    const first = store.create('agent');
    const other = store.create('other');
    const second = store.create('agent');
    expect(store.touch(first.id)).toBeUndefined();
    expect(store.touch(second.id)).toBe(second);
    expect(store.touch(other.id)).toBe(other);
  });

  it('issues unguessable ASP.NET-style ids', () => {
    const { store } = setup();
    const ids = new Set(Array.from({ length: 50 }, () => store.create('agent').id));
    expect(ids.size).toBe(50);
    for (const id of ids) expect(id).toMatch(/^[a-z0-5]{24}$/);
    expect(store.touch(undefined)).toBeUndefined();
    expect(store.touch('nosuchsession')).toBeUndefined();
  });
});
