import { LoginThrottle } from './login-throttle';

function setup() {
  let now = 0;
  const throttle = new LoginThrottle({ lockoutAfter: 3, lockoutMs: 60_000, now: () => now });
  return { throttle, advance: (ms: number) => (now += ms) };
}

describe('LoginThrottle', () => {
  it('locks a user out after N wrong tries, for lockoutMs', () => {
    const { throttle, advance } = setup();
    throttle.recordFailure('agent');
    throttle.recordFailure('agent');
    expect(throttle.lockedForMs('agent')).toBe(0);
    throttle.recordFailure('Agent ');
    expect(throttle.lockedForMs('agent')).toBe(60_000);
    advance(59_999);
    expect(throttle.lockedForMs('AGENT')).toBe(1);
    advance(1);
    expect(throttle.lockedForMs('agent')).toBe(0);
  });

  it('locks only the user who failed', () => {
    const { throttle } = setup();
    for (let i = 0; i < 3; i++) throttle.recordFailure('agent');
    expect(throttle.lockedForMs('other')).toBe(0);
  });

  it('forgets earlier failures after a successful login', () => {
    const { throttle } = setup();
    throttle.recordFailure('agent');
    throttle.recordFailure('agent');
    throttle.recordSuccess('agent');
    throttle.recordFailure('agent');
    throttle.recordFailure('agent');
    expect(throttle.lockedForMs('agent')).toBe(0);
  });

  it('counts afresh once a lockout has passed', () => {
    const { throttle, advance } = setup();
    for (let i = 0; i < 3; i++) throttle.recordFailure('agent');
    advance(60_000);
    throttle.recordFailure('agent');
    expect(throttle.lockedForMs('agent')).toBe(0);
  });
});
