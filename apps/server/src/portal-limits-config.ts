// A PORTALS entry's `limits`, validated on its own: the portal's concurrency (under the global
// CONCURRENCY), start spacing, starts per minute, quiet hours, and opt-in adaptive concurrency
// (`adaptive: { floor }`, between the floor and `concurrency`, which it then requires). A bad value is refused with
// its place, e.g. `portals[0].limits.concurrency: must be an integer 1..64`. Types only from the
// engine, so reading the configuration loads no engine code.
import type { PortalLimits, QuietHours } from '@engine/engine';

const KEYS = ['concurrency', 'minSubmitSpacingMs', 'submitsPerMinute', 'quietHours', 'adaptive'] as const;
const WINDOW_KEYS = ['from', 'to', 'timezone'] as const;
const MAX_WINDOWS = 24;

const TIME_OF_DAY = /^([01]\d|2[0-3]):[0-5]\d$/;

function isKnownTimezone(timezone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-GB', { timeZone: timezone });
    return true;
  } catch {
    return false;
  }
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** `raw` is the entry's `limits` (absent: no limits); `at` names it in errors, e.g. `portals[0].limits`. */
export function parsePortalLimits(raw: unknown, at: string): { limits: PortalLimits | undefined } | { error: string } {
  if (raw === undefined) return { limits: undefined };
  if (!isRecord(raw)) return { error: `${at}: must be an object { concurrency?, minSubmitSpacingMs?, submitsPerMinute?, quietHours?, adaptive? }` };
  const unknown = Object.keys(raw).find((key) => !(KEYS as readonly string[]).includes(key));
  if (unknown !== undefined) return { error: `${at}.${unknown}: unknown key (known: ${KEYS.join(', ')})` };
  const limits: PortalLimits = {};
  const ints = [
    ['concurrency', 1, 64],
    ['minSubmitSpacingMs', 0, 3_600_000],
    ['submitsPerMinute', 1, 10_000],
  ] as const;
  for (const [key, min, max] of ints) {
    const value = raw[key];
    if (value === undefined) continue;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) return { error: `${at}.${key}: must be an integer ${min}..${max}` };
    limits[key] = value;
  }
  if (raw.quietHours !== undefined) {
    const windows = parseQuietHours(raw.quietHours, `${at}.quietHours`);
    if ('error' in windows) return windows;
    limits.quietHours = windows.windows;
  }
  if (raw.adaptive !== undefined) {
    const adaptive = raw.adaptive;
    if (!isRecord(adaptive) || Object.keys(adaptive).some((key) => key !== 'floor')) return { error: `${at}.adaptive: must be an object { floor }` };
    const ceiling = limits.concurrency;
    if (ceiling === undefined) return { error: `${at}.adaptive: needs ${at}.concurrency, the ceiling it adapts under` };
    const floor = adaptive.floor;
    if (typeof floor !== 'number' || !Number.isInteger(floor) || floor < 1 || floor > ceiling) return { error: `${at}.adaptive.floor: must be an integer 1..${ceiling} (the portal's concurrency)` };
    limits.adaptive = { floor };
  }
  return { limits };
}

function parseQuietHours(raw: unknown, at: string): { windows: QuietHours[] } | { error: string } {
  if (!Array.isArray(raw) || raw.length > MAX_WINDOWS) return { error: `${at}: must be a list of up to ${MAX_WINDOWS} { from: "HH:MM", to: "HH:MM", timezone? }` };
  const windows: QuietHours[] = [];
  for (const [i, item] of raw.entries()) {
    const place = `${at}[${i}]`;
    if (!isRecord(item)) return { error: `${place}: must be an object { from: "HH:MM", to: "HH:MM", timezone? }` };
    const unknown = Object.keys(item).find((key) => !(WINDOW_KEYS as readonly string[]).includes(key));
    if (unknown !== undefined) return { error: `${place}.${unknown}: unknown key (known: ${WINDOW_KEYS.join(', ')})` };
    for (const key of ['from', 'to'] as const) {
      if (typeof item[key] !== 'string' || !TIME_OF_DAY.test(item[key])) return { error: `${place}.${key}: must be a time of day HH:MM (00:00..23:59)` };
    }
    const { from, to, timezone } = item as { from: string; to: string; timezone?: unknown };
    if (from === to) return { error: `${place}: from and to must differ (to before from spans midnight)` };
    if (timezone !== undefined && (typeof timezone !== 'string' || !isKnownTimezone(timezone))) return { error: `${place}.timezone: must be an IANA timezone such as Europe/Berlin or UTC` };
    windows.push(timezone === undefined ? { from, to } : { from, to, timezone });
  }
  return { windows };
}
