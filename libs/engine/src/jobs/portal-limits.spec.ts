// The per-portal start decisions at given times: quiet hours (UTC, a timezone, across midnight
// and a daylight-saving change), spacing and per-minute budget, concurrency, and which portal
// gets a free slot.
import { minutesOfDay, nextPortal, quietUntil, rateOpensAt, startVerdict } from './portal-limits';

const utc = (iso: string) => Date.parse(`${iso}Z`);

describe('quietUntil', () => {
  it('is null outside the window and the window end inside it (UTC by default, `to` excluded)', () => {
    const windows = [{ from: '01:00', to: '05:30' }];
    expect(quietUntil(windows, utc('2026-03-02T00:59:59'))).toBeNull();
    expect(quietUntil(windows, utc('2026-03-02T01:00:00'))).toBe(utc('2026-03-02T05:30:00'));
    expect(quietUntil(windows, utc('2026-03-02T05:29:30.500'))).toBe(utc('2026-03-02T05:30:00'));
    expect(quietUntil(windows, utc('2026-03-02T05:30:00'))).toBeNull();
  });

  it('spans midnight when `to` is before `from`', () => {
    const windows = [{ from: '22:00', to: '06:00' }];
    expect(quietUntil(windows, utc('2026-03-02T23:15:00'))).toBe(utc('2026-03-03T06:00:00'));
    expect(quietUntil(windows, utc('2026-03-03T03:00:00'))).toBe(utc('2026-03-03T06:00:00'));
    expect(quietUntil(windows, utc('2026-03-03T12:00:00'))).toBeNull();
  });

  it('reads the window in its timezone, across a daylight-saving change', () => {
    // Berlin is UTC+1 in winter: 20:00-23:00 local is 19:00-22:00 UTC.
    const berlin = [{ from: '20:00', to: '23:00', timezone: 'Europe/Berlin' }];
    expect(quietUntil(berlin, utc('2026-01-10T18:59:00'))).toBeNull();
    expect(quietUntil(berlin, utc('2026-01-10T19:00:00'))).toBe(utc('2026-01-10T22:00:00'));
    // 2026-03-29 02:00 local the clocks jump to 03:00 (UTC+2): a 01:00-04:00 window ends at 02:00 UTC.
    const night = [{ from: '01:00', to: '04:00', timezone: 'Europe/Berlin' }];
    expect(quietUntil(night, utc('2026-03-29T00:30:00'))).toBe(utc('2026-03-29T02:00:00'));
  });

  it('joins windows that adjoin or overlap', () => {
    const windows = [
      { from: '10:00', to: '11:00' },
      { from: '10:30', to: '12:00' },
      { from: '12:00', to: '12:15' },
    ];
    expect(quietUntil(windows, utc('2026-03-02T10:05:00'))).toBe(utc('2026-03-02T12:15:00'));
  });
});

describe('rateOpensAt', () => {
  const t0 = utc('2026-03-02T10:00:00');

  it('holds the next start until the spacing after the last one has passed', () => {
    expect(rateOpensAt({ minSubmitSpacingMs: 5_000 }, [t0], t0 + 1_000)).toBe(t0 + 5_000);
    expect(rateOpensAt({ minSubmitSpacingMs: 5_000 }, [t0], t0 + 5_000)).toBeNull();
    expect(rateOpensAt({ minSubmitSpacingMs: 5_000 }, [], t0)).toBeNull();
  });

  it('holds the next start while the last minute used the budget, until its oldest start leaves the window', () => {
    const starts = [t0, t0 + 10_000, t0 + 20_000];
    expect(rateOpensAt({ submitsPerMinute: 3 }, starts, t0 + 30_000)).toBe(t0 + 60_000);
    expect(rateOpensAt({ submitsPerMinute: 4 }, starts, t0 + 30_000)).toBeNull();
    expect(rateOpensAt({ submitsPerMinute: 3 }, starts, t0 + 60_000)).toBeNull();
    expect(rateOpensAt({ submitsPerMinute: 2 }, starts, t0 + 61_000)).toBe(t0 + 70_000);
  });

  it('takes the later of the two when both hold', () => {
    expect(rateOpensAt({ minSubmitSpacingMs: 15_000, submitsPerMinute: 2 }, [t0, t0 + 50_000], t0 + 51_000)).toBe(t0 + 65_000);
  });
});

describe('startVerdict', () => {
  const t0 = utc('2026-03-02T10:00:00');

  it('starts anything without limits', () => {
    expect(startVerdict(undefined, 50, [t0, t0], t0)).toEqual({ start: true });
  });

  it('says why a start is held: quiet hours first, then the portal concurrency, then the rate', () => {
    const limits = { concurrency: 2, minSubmitSpacingMs: 1_000, quietHours: [{ from: '09:00', to: '10:30' }] };
    expect(startVerdict(limits, 0, [], t0)).toEqual({ start: false, reason: 'quietHours', until: utc('2026-03-02T10:30:00') });
    const later = utc('2026-03-02T11:00:00');
    expect(startVerdict(limits, 2, [], later)).toEqual({ start: false, reason: 'concurrency' });
    expect(startVerdict(limits, 1, [later - 400], later)).toEqual({ start: false, reason: 'rate', until: later + 600 });
    expect(startVerdict(limits, 1, [later - 1_000], later)).toEqual({ start: true });
  });
});

describe('nextPortal', () => {
  it('gives the slot to the portal with the fewest attempts in flight, ties to the one served least recently, then to the oldest job', () => {
    expect(nextPortal([{ portal: 'slow', inFlight: 2, lastServed: 1, head: 0 }, { portal: 'fast', inFlight: 1, lastServed: 5, head: 9 }])).toBe('fast');
    expect(nextPortal([{ portal: 'a', inFlight: 1, lastServed: 7, head: 0 }, { portal: 'b', inFlight: 1, lastServed: 3, head: 4 }])).toBe('b');
    // Neither served yet: the one whose next job came in first.
    expect(nextPortal([{ portal: 'a', inFlight: 0, lastServed: -1, head: 3 }, { portal: 'b', inFlight: 0, lastServed: -1, head: 1 }])).toBe('b');
    expect(nextPortal([])).toBeUndefined();
  });
});

describe('parsing helpers', () => {
  it('reads HH:MM', () => {
    expect(minutesOfDay('00:00')).toBe(0);
    expect(minutesOfDay('23:59')).toBe(1439);
    expect(minutesOfDay('24:00')).toBeNull();
    expect(minutesOfDay('9:00')).toBeNull();
  });
});
