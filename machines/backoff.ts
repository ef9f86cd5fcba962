// Deterministic waits for durable retry timers. Audit replay recomputes every timer from the log
// and compares it with what was stored, so jitter is a hash of a key, never Math.random.

/** 32-bit FNV-1a: tiny, stable across platforms, spreads short similar keys well enough. */
export function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

/**
 * Exponential backoff with "equal jitter": the nth wait (n ≥ 1) is drawn from [d/2, d] where
 * d = min(maxMs, minMs · 2^(n-1)); `key` makes the draw deterministic and spreads retries of
 * different streams apart.
 */
export function backoffWithJitterMs(range: { minMs: number; maxMs: number }, n: number, key: string): number {
  const ceiling = Math.min(range.maxMs, range.minMs * 2 ** Math.max(0, Math.min(n - 1, 30)));
  const half = Math.floor(ceiling / 2);
  return half + (fnv1a(`${key}|${n}`) % (ceiling - half + 1));
}
