// Fault injection: the ways real portals fail (slowness, 5xx, a broken captcha, a form error
// at step N, the duplicate trap), switched on per test in-process or over /__test/faults.
import { z } from 'zod';
import type { Random } from './prng';

export interface RouteLatency {
  ms: number;
  /** Extra delay drawn uniformly from [0, jitterMs] with the seeded PRNG. */
  jitterMs: number;
}

export type DuplicateTrap = 'error' | 'hang';

export interface Faults {
  /** Keyed by path prefix (case-insensitive); the longest matching prefix applies. */
  latency: Record<string, RouteLatency>;
  /** Keyed by path prefix; the chance (0..1) that a request gets a 500 page instead. */
  errorRate: Record<string, number>;
  captchaAlwaysWrong: boolean;
  validationErrorAtStep: 1 | 2 | 3 | null;
  /** Record the submission, then answer with a 500 page ('error') or never answer ('hang'). */
  duplicateTrap: DuplicateTrap | null;
}

export const faultPatchSchema = z
  .object({
    latency: z.record(
      z.string().startsWith('/'),
      z.object({ ms: z.number().int().min(0).max(600_000), jitterMs: z.number().int().min(0).max(600_000).default(0) }).strict().nullable(),
    ),
    errorRate: z.record(z.string().startsWith('/'), z.number().min(0).max(1).nullable()),
    captchaAlwaysWrong: z.boolean(),
    validationErrorAtStep: z.union([z.literal(1), z.literal(2), z.literal(3), z.null()]),
    duplicateTrap: z.enum(['error', 'hang']).nullable(),
  })
  .strict()
  .partial();

/** A partial update: top-level fields replace, route maps merge per route, a null route removes it. */
export type FaultPatch = z.input<typeof faultPatchSchema>;

export interface FaultController {
  set(patch: FaultPatch): Faults;
  reset(): void;
  current(): Faults;
}

function noFaults(): Faults {
  return { latency: {}, errorRate: {}, captchaAlwaysWrong: false, validationErrorAtStep: null, duplicateTrap: null };
}

export class FaultState implements FaultController {
  private faults = noFaults();

  constructor(private readonly random: Random) {}

  set(patch: FaultPatch): Faults {
    const parsed = faultPatchSchema.parse(patch);
    const next = this.current();
    if (parsed.latency) mergeRoutes(next.latency, parsed.latency);
    if (parsed.errorRate) mergeRoutes(next.errorRate, parsed.errorRate);
    if (parsed.captchaAlwaysWrong !== undefined) next.captchaAlwaysWrong = parsed.captchaAlwaysWrong;
    if (parsed.validationErrorAtStep !== undefined) next.validationErrorAtStep = parsed.validationErrorAtStep;
    if (parsed.duplicateTrap !== undefined) next.duplicateTrap = parsed.duplicateTrap;
    this.faults = next;
    return this.current();
  }

  reset(): void {
    this.faults = noFaults();
  }

  current(): Faults {
    return structuredClone(this.faults);
  }

  /** Delay to inject before handling `path`, 0 when no latency fault matches. */
  latencyFor(path: string): number {
    const latency = longestPrefixMatch(this.faults.latency, path);
    if (!latency) return 0;
    return latency.ms + (latency.jitterMs > 0 ? Math.round(this.random() * latency.jitterMs) : 0);
  }

  /** Rolls the seeded dice for a 5xx on `path`. */
  failsNow(path: string): boolean {
    const rate = longestPrefixMatch(this.faults.errorRate, path);
    return rate !== undefined && rate > 0 && this.random() < rate;
  }

  get captchaAlwaysWrong(): boolean {
    return this.faults.captchaAlwaysWrong;
  }

  get validationErrorAtStep(): 1 | 2 | 3 | null {
    return this.faults.validationErrorAtStep;
  }

  get duplicateTrap(): DuplicateTrap | null {
    return this.faults.duplicateTrap;
  }
}

function mergeRoutes<T>(target: Record<string, T>, patch: Record<string, T | null>): void {
  for (const [route, value] of Object.entries(patch)) {
    if (value === null) delete target[route];
    else target[route] = value;
  }
}

function longestPrefixMatch<T>(routes: Record<string, T>, path: string): T | undefined {
  const lowerPath = path.toLowerCase();
  let best: string | undefined;
  for (const prefix of Object.keys(routes)) {
    if (lowerPath.startsWith(prefix.toLowerCase()) && (best === undefined || prefix.length > best.length)) best = prefix;
  }
  return best === undefined ? undefined : routes[best];
}
