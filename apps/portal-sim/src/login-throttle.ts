// Temporary lockout after too many wrong passwords for one username, as real portals do.
// A wrong captcha does not count: the password was never checked.
export interface LoginThrottleOptions {
  lockoutAfter: number;
  lockoutMs: number;
  now: () => number;
}

interface Attempts {
  failures: number;
  lockedUntil: number;
}

export class LoginThrottle {
  private readonly attempts = new Map<string, Attempts>();

  constructor(private readonly options: LoginThrottleOptions) {}

  /** Milliseconds left on the lockout of `username`, 0 when it may try. */
  lockedForMs(username: string): number {
    const entry = this.attempts.get(key(username));
    if (!entry) return 0;
    return Math.max(0, entry.lockedUntil - this.options.now());
  }

  recordFailure(username: string): void {
    const k = key(username);
    const entry = this.attempts.get(k) ?? { failures: 0, lockedUntil: 0 };
    entry.failures++;
    if (entry.failures >= this.options.lockoutAfter) {
      entry.lockedUntil = this.options.now() + this.options.lockoutMs;
      entry.failures = 0;
    }
    this.attempts.set(k, entry);
  }

  recordSuccess(username: string): void {
    this.attempts.delete(key(username));
  }
}

function key(username: string): string {
  return username.trim().toLowerCase();
}
