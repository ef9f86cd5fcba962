// The running counts must give what the plain filter gives (alert-rules' jobSuccessRate) over the
// same outcomes: in time order or not, across windows, after pruning and compaction.
import { jobSuccessRate, type JobOutcome } from './alert-rules';
import { OutcomeWindow } from './outcome-window';

const ENDS = ['submitted', 'submitted', 'submitted', 'failed', 'failed_post_submission', 'cancelled'];

/** A small deterministic generator (mulberry32), so a failure replays. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

describe('OutcomeWindow', () => {
  it('counts what jobSuccessRate counts, with outcomes out of time order, across windows and prunes', () => {
    const next = random(20261203);
    const window = new OutcomeWindow();
    let kept: JobOutcome[] = [];
    let now = 0;
    for (let n = 0; n < 3_000; n++) {
      now += Math.floor(next() * 2_000);
      // One in ten is recorded late (clock skew between writers).
      const atMs = next() < 0.1 ? now - Math.floor(next() * 60_000) : now;
      const outcome: JobOutcome = { jobId: `j${n}`, portal: 'p', outcome: ENDS[Math.floor(next() * ENDS.length)], atMs };
      window.add(outcome);
      kept.push(outcome);
      if (n % 97 === 0) {
        const horizon = now - 600_000;
        window.prune(horizon);
        kept = kept.filter((o) => o.atMs > horizon);
      }
      const windowMs = [1, 30_000, 300_000, 600_000][n % 4];
      const at = now - (n % 5 === 0 ? 20_000 : 0);
      expect(window.rate(at, windowMs)).toEqual(jobSuccessRate(kept, at, windowMs));
    }
  });

  it('has no rate before any job finished in the window', () => {
    const window = new OutcomeWindow();
    expect(window.rate(1_000, 500)).toEqual({ finished: 0, submitted: 0, rate: null });
    window.add({ jobId: 'a', portal: 'p', outcome: 'cancelled', atMs: 900 });
    expect(window.rate(1_000, 500)).toEqual({ finished: 0, submitted: 0, rate: null });
    window.add({ jobId: 'b', portal: 'p', outcome: 'submitted', atMs: 100 });
    expect(window.rate(1_000, 500).rate).toBeNull();
    expect(window.rate(1_000, 1_000)).toEqual({ finished: 1, submitted: 1, rate: 1 });
  });
});
