import { ZodError } from 'zod';
import { FaultState } from './faults';
import { createPrng } from './prng';

describe('FaultState', () => {
  it('starts with no faults and returns to none on reset', () => {
    const faults = new FaultState(createPrng(1));
    const clean = faults.current();
    faults.set({ captchaAlwaysWrong: true, duplicateTrap: 'hang', validationErrorAtStep: 2, errorRate: { '/': 1 } });
    faults.reset();
    expect(faults.current()).toEqual(clean);
    expect(clean).toEqual({ latency: {}, errorRate: {}, captchaAlwaysWrong: false, validationErrorAtStep: null, duplicateTrap: null });
  });

  it('merges patches: other fields kept, routes merged, a null route removed', () => {
    const faults = new FaultState(createPrng(1));
    faults.set({ captchaAlwaysWrong: true, latency: { '/Dashboard.aspx': { ms: 100 } } });
    faults.set({ latency: { '/Proposal': { ms: 50, jitterMs: 10 } } });
    expect(faults.current()).toMatchObject({
      captchaAlwaysWrong: true,
      latency: { '/Dashboard.aspx': { ms: 100, jitterMs: 0 }, '/Proposal': { ms: 50, jitterMs: 10 } },
    });
    faults.set({ latency: { '/Dashboard.aspx': null } });
    expect(Object.keys(faults.current().latency)).toEqual(['/Proposal']);
  });

  it('rejects invalid patches and keeps the current faults', () => {
    const faults = new FaultState(createPrng(1));
    faults.set({ duplicateTrap: 'error' });
    expect(() => faults.set({ errorRate: { '/': 2 } })).toThrow(ZodError);
    expect(() => faults.set({ validationErrorAtStep: 4 as never })).toThrow(ZodError);
    expect(() => faults.set({ latency: { Dashboard: { ms: 1 } } })).toThrow(ZodError);
    expect(() => faults.set({ unknownFault: true } as never)).toThrow(ZodError);
    expect(faults.current().duplicateTrap).toBe('error');
  });

  it('applies the longest matching route prefix, case-insensitively', () => {
    const faults = new FaultState(createPrng(1));
    faults.set({ latency: { '/Proposal': { ms: 10 }, '/Proposal/Quote.aspx': { ms: 300 } } });
    expect(faults.latencyFor('/proposal/quote.aspx')).toBe(300);
    expect(faults.latencyFor('/Proposal/Vehicle.aspx')).toBe(10);
    expect(faults.latencyFor('/Dashboard.aspx')).toBe(0);
  });

  it('draws jitter within [ms, ms + jitterMs] and replays it with the same seed', () => {
    const draw = (seed: number) => {
      const faults = new FaultState(createPrng(seed));
      faults.set({ latency: { '/': { ms: 100, jitterMs: 50 } } });
      return Array.from({ length: 30 }, () => faults.latencyFor('/Dashboard.aspx'));
    };
    const delays = draw(5);
    expect(delays).toEqual(draw(5));
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(100);
    expect(Math.max(...delays)).toBeLessThanOrEqual(150);
    expect(new Set(delays).size).toBeGreaterThan(1);
  });

  it('fails requests at the configured rate, reproducibly', () => {
    const roll = (seed: number, rate: number) => {
      const faults = new FaultState(createPrng(seed));
      faults.set({ errorRate: { '/Dashboard.aspx': rate } });
      return Array.from({ length: 1000 }, () => faults.failsNow('/Dashboard.aspx'));
    };
    expect(roll(3, 0.3)).toEqual(roll(3, 0.3));
    const failures = roll(3, 0.3).filter(Boolean).length;
    expect(failures).toBeGreaterThan(200);
    expect(failures).toBeLessThan(400);
    expect(roll(3, 1).every(Boolean)).toBe(true);
    expect(roll(3, 0).some(Boolean)).toBe(false);
  });

  it('hands out copies, so callers cannot change the faults behind its back', () => {
    const faults = new FaultState(createPrng(1));
    faults.current().errorRate['/'] = 1;
    expect(faults.failsNow('/Dashboard.aspx')).toBe(false);
  });
});
