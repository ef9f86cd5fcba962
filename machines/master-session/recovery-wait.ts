// The wait between two tries of one recovery level, "10–20 s apart" with jitter. The jitter
// must be deterministic: audit replay recomputes every timer from the log and compares it with
// what was stored, so it is a hash of (seed, recovery, level, try), never Math.random.
import { fnv1a } from '../backoff';
import type { RecoveryLevel, RecoveryLevelConfig } from './master-session.config';

export interface RecoveryWaitKey {
  /** Per-session seed from the input; different sessions spread their retries apart. */
  seed: string;
  /** The nth recovery of the session, so consecutive recoveries do not repeat the same waits. */
  recovery: number;
  level: RecoveryLevel;
  /** The try that starts when the wait is over. */
  nextTry: number;
}

export function recoveryWaitMs(range: Pick<RecoveryLevelConfig, 'minWaitMs' | 'maxWaitMs'>, key: RecoveryWaitKey): number {
  const span = range.maxWaitMs - range.minWaitMs + 1;
  return range.minWaitMs + (fnv1a(`${key.seed}|${key.recovery}|${key.level}|${key.nextTry}`) % span);
}
