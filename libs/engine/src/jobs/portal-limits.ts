// The per-portal limits the scheduler applies before it starts an attempt, as pure decisions
// over a time it is given (the scheduler's injected clock): how many attempts of the portal may
// be in flight, how far apart and how many per minute attempts may start (each attempt submits
// at most once, so this bounds the portal's submits), and the quiet hours in which none starts.
// Which portal gets a free slot is decided here too: the one with the fewest attempts in flight,
// ties to the one served least recently, so a slow portal cannot hold every slot.

/** A daily window `from`..`to` (HH:MM, `to` excluded; `to` before `from` spans midnight) in an IANA timezone, default UTC. */
export interface QuietHours {
  from: string;
  to: string;
  timezone?: string;
}

export interface PortalLimits {
  /** Attempts of this portal in flight at once (the global concurrency still caps the sum). Default: only the global cap. */
  concurrency?: number;
  /** Least time between two attempt starts of this portal. Default 0. */
  minSubmitSpacingMs?: number;
  /** Attempt starts of this portal in any 60 s. Default: unlimited. */
  submitsPerMinute?: number;
  /** Windows in which no new attempt of this portal starts (jobs stay queued). */
  quietHours?: QuietHours[];
  /** Opt-in: the portal's concurrency moves between `floor` and `concurrency` with the strain its attempts show (adaptive-concurrency.ts). */
  adaptive?: { floor: number };
}

export type StartVerdict =
  | { start: true }
  | { start: false; reason: 'concurrency' }
  | { start: false; reason: 'rate' | 'quietHours'; until: number };

const MINUTE_MS = 60_000;
const DAY_MINUTES = 24 * 60;

/** May the portal start one more attempt at `now`, and if not, why and until when (concurrency: until one ends). */
export function startVerdict(limits: PortalLimits | undefined, inFlight: number, starts: readonly number[], now: number): StartVerdict {
  if (!limits) return { start: true };
  const quiet = quietUntil(limits.quietHours ?? [], now);
  if (quiet !== null) return { start: false, reason: 'quietHours', until: quiet };
  if (limits.concurrency !== undefined && inFlight >= limits.concurrency) return { start: false, reason: 'concurrency' };
  const rate = rateOpensAt(limits, starts, now);
  if (rate !== null) return { start: false, reason: 'rate', until: rate };
  return { start: true };
}

/**
 * When the next start is allowed by the spacing and the per-minute budget, or null when it is
 * allowed now. `starts` are earlier start times, oldest first.
 */
export function rateOpensAt(limits: Pick<PortalLimits, 'minSubmitSpacingMs' | 'submitsPerMinute'>, starts: readonly number[], now: number): number | null {
  let opens = -Infinity;
  const last = starts[starts.length - 1];
  if (last !== undefined && limits.minSubmitSpacingMs) opens = last + limits.minSubmitSpacingMs;
  const budget = limits.submitsPerMinute;
  if (budget !== undefined) {
    const inWindow = starts.filter((at) => at > now - MINUTE_MS);
    // The budget frees up when the oldest start that fills it leaves the window.
    if (inWindow.length >= budget) opens = Math.max(opens, inWindow[inWindow.length - budget] + MINUTE_MS);
  }
  return opens > now ? opens : null;
}

/** When the quiet hours `now` falls in end (epoch ms; adjoining windows are joined), or null outside them. */
export function quietUntil(windows: readonly QuietHours[], now: number): number | null {
  let at = now;
  // Bounded: each pass moves to the end of one window; more passes than windows means a full day is quiet.
  for (let pass = 0; pass <= windows.length; pass++) {
    const inside = windows.map((w) => windowEnd(w, at)).filter((end): end is number => end !== null);
    if (inside.length === 0) return at === now ? null : at;
    at = Math.max(...inside);
  }
  return at;
}

/**
 * Fewest attempts in flight first; ties to the portal served least recently (never served: first),
 * then to the one whose next job came in first (`head`: its rank in intake order).
 */
export function nextPortal(candidates: readonly { portal: string; inFlight: number; lastServed: number; head: number }[]): string | undefined {
  let best: (typeof candidates)[number] | undefined;
  for (const c of candidates) {
    if (!best || c.inFlight < best.inFlight || (c.inFlight === best.inFlight && (c.lastServed < best.lastServed || (c.lastServed === best.lastServed && c.head < best.head)))) best = c;
  }
  return best?.portal;
}

/** "HH:MM" as minutes after midnight, or null when it is not a time of day. */
export function minutesOfDay(value: string): number | null {
  const match = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(value);
  return match ? Number(match[1]) * 60 + Number(match[2]) : null;
}

/** The end of `window` when `at` lies inside it, else null. */
function windowEnd(window: QuietHours, at: number): number | null {
  const from = minutesOfDay(window.from);
  const to = minutesOfDay(window.to);
  if (from === null || to === null || from === to) return null;
  const zone = window.timezone ?? 'UTC';
  const local = localMinutes(zone, at);
  const inside = from < to ? local >= from && local < to : local >= from || local < to;
  if (!inside) return null;
  const startOfMinute = at - (at % MINUTE_MS);
  let end = startOfMinute + ((to - local + DAY_MINUTES) % DAY_MINUTES) * MINUTE_MS;
  // Across a daylight-saving change the local clock jumps: correct once by what it reads then.
  const drift = (to - localMinutes(zone, end) + DAY_MINUTES) % DAY_MINUTES;
  if (drift !== 0) end += (drift > DAY_MINUTES / 2 ? drift - DAY_MINUTES : drift) * MINUTE_MS;
  return end > at ? end : startOfMinute + MINUTE_MS;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timezone: string): Intl.DateTimeFormat {
  let f = formatters.get(timezone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-GB', { timeZone: timezone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    formatters.set(timezone, f);
  }
  return f;
}

function localMinutes(timezone: string, at: number): number {
  let hour = 0;
  let minute = 0;
  for (const part of formatter(timezone).formatToParts(at)) {
    if (part.type === 'hour') hour = Number(part.value);
    else if (part.type === 'minute') minute = Number(part.value);
  }
  return (hour % 24) * 60 + minute;
}
