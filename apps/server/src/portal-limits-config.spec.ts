// A PORTALS entry's `limits`: every key read, each bad value refused naming its place and rule,
// and loadConfig refusing to start with that message under PORTALS.
import { ValidationError } from '@engine/core';
import { loadConfig } from './config';
import { parsePortalLimits } from './portal-limits-config';

const at = 'portals[0].limits';

describe('parsePortalLimits', () => {
  it('reads every key, and no limits when absent', () => {
    expect(parsePortalLimits(undefined, at)).toEqual({ limits: undefined });
    const limits = {
      concurrency: 2,
      minSubmitSpacingMs: 0,
      submitsPerMinute: 30,
      quietHours: [{ from: '22:00', to: '06:00', timezone: 'Europe/Berlin' }, { from: '12:00', to: '12:30' }],
      adaptive: { floor: 1 },
    };
    expect(parsePortalLimits(limits, at)).toEqual({ limits });
    expect(parsePortalLimits({}, at)).toEqual({ limits: {} });
  });

  it.each([
    [[], `${at}: must be an object { concurrency?, minSubmitSpacingMs?, submitsPerMinute?, quietHours?, adaptive? }`],
    [{ concurrency: 0 }, `${at}.concurrency: must be an integer 1..64`],
    [{ concurrency: 65 }, `${at}.concurrency: must be an integer 1..64`],
    [{ concurrency: '2' }, `${at}.concurrency: must be an integer 1..64`],
    [{ minSubmitSpacingMs: 1.5 }, `${at}.minSubmitSpacingMs: must be an integer 0..3600000`],
    [{ minSubmitSpacingMs: 3_600_001 }, `${at}.minSubmitSpacingMs: must be an integer 0..3600000`],
    [{ submitsPerMinute: 0 }, `${at}.submitsPerMinute: must be an integer 1..10000`],
    [{ concurency: 2 }, `${at}.concurency: unknown key (known: concurrency, minSubmitSpacingMs, submitsPerMinute, quietHours, adaptive)`],
    [{ adaptive: { floor: 1 } }, `${at}.adaptive: needs ${at}.concurrency, the ceiling it adapts under`],
    [{ concurrency: 4, adaptive: 1 }, `${at}.adaptive: must be an object { floor }`],
    [{ concurrency: 4, adaptive: { floor: 1, step: 2 } }, `${at}.adaptive: must be an object { floor }`],
    [{ concurrency: 4, adaptive: { floor: 5 } }, `${at}.adaptive.floor: must be an integer 1..4 (the portal's concurrency)`],
    [{ concurrency: 4, adaptive: { floor: 0 } }, `${at}.adaptive.floor: must be an integer 1..4 (the portal's concurrency)`],
    [{ quietHours: { from: '01:00', to: '02:00' } }, `${at}.quietHours: must be a list of up to 24 { from: "HH:MM", to: "HH:MM", timezone? }`],
    [{ quietHours: ['01:00-02:00'] }, `${at}.quietHours[0]: must be an object { from: "HH:MM", to: "HH:MM", timezone? }`],
    [{ quietHours: [{ from: '1:00', to: '02:00' }] }, `${at}.quietHours[0].from: must be a time of day HH:MM (00:00..23:59)`],
    [{ quietHours: [{ from: '01:00', to: '24:00' }] }, `${at}.quietHours[0].to: must be a time of day HH:MM (00:00..23:59)`],
    [{ quietHours: [{ from: '01:00', to: '01:00' }] }, `${at}.quietHours[0]: from and to must differ (to before from spans midnight)`],
    [{ quietHours: [{ from: '01:00', to: '02:00', timezone: 'Mars/Olympus' }] }, `${at}.quietHours[0].timezone: must be an IANA timezone such as Europe/Berlin or UTC`],
    [{ quietHours: [{ from: '01:00', to: '02:00', tz: 'UTC' }] }, `${at}.quietHours[0].tz: unknown key (known: from, to, timezone)`],
  ])('refuses %j naming the key and the rule', (raw, error) => {
    expect(parsePortalLimits(raw, at)).toEqual({ error });
  });
});

describe('PORTALS limits in the server configuration', () => {
  const portals = (...limits: unknown[]) =>
    JSON.stringify(limits.map((l, i) => ({ adapter: 'portal-sim', options: { id: `sim-${i}` }, credentialsRef: 'secret://sim', limits: l })));

  it('carries each portal its limits, and none where unset', () => {
    const config = loadConfig({ PORTALS: portals({ concurrency: 1, submitsPerMinute: 6 }, undefined) });
    expect(config.portals[0].limits).toEqual({ concurrency: 1, submitsPerMinute: 6 });
    expect(config.portals[1]).not.toHaveProperty('limits');
  });

  it('refuses to start on a bad limit, naming the portal, the key and the rule', () => {
    let fields: Record<string, string> = {};
    try {
      loadConfig({ PORTALS: portals({ concurrency: 2 }, { concurrency: 100 }) });
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      fields = error.fields;
    }
    expect(fields).toEqual({ PORTALS: 'portals[1].limits.concurrency: must be an integer 1..64' });
  });
});
