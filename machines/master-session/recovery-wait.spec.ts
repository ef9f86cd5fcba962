// The wait between tries: inside the configured range, spread out, and the same every time it
// is recomputed (audit replay compares it with the stored timer).
import { RECOVERY_LEVELS } from './master-session.config';
import { recoveryWaitMs } from './recovery-wait';

const soft = { minWaitMs: 10_000, maxWaitMs: 20_000 };

describe('recovery wait', () => {
  const keys = Array.from({ length: 200 }, (_, i) => ({ seed: `portal-${i % 7}`, recovery: 1 + (i % 5), level: RECOVERY_LEVELS[i % 3], nextTry: 2 + (i % 3) }));

  it('always lies within [minWaitMs, maxWaitMs]', () => {
    for (const key of keys) {
      const wait = recoveryWaitMs(soft, key);
      expect(wait).toBeGreaterThanOrEqual(10_000);
      expect(wait).toBeLessThanOrEqual(20_000);
      expect(Number.isInteger(wait)).toBe(true);
    }
  });

  it('is a function of its key: recomputing gives the same wait', () => {
    expect(keys.map((k) => recoveryWaitMs(soft, { ...k }))).toEqual(keys.map((k) => recoveryWaitMs(soft, k)));
  });

  it('spreads: different sessions and tries do not all wait the same', () => {
    const waits = new Set(keys.map((k) => recoveryWaitMs(soft, k)));
    expect(waits.size).toBeGreaterThan(100);
    const a = recoveryWaitMs(soft, { seed: 'portal-a', recovery: 1, level: 'soft', nextTry: 2 });
    const b = recoveryWaitMs(soft, { seed: 'portal-b', recovery: 1, level: 'soft', nextTry: 2 });
    expect(a).not.toBe(b);
  });

  it('a range of one value gives that value', () => {
    expect(recoveryWaitMs({ minWaitMs: 5_000, maxWaitMs: 5_000 }, keys[0])).toBe(5_000);
  });
});
