// One portal's finished jobs in time order with running counts, so the success rate over a
// window costs two binary searches however many jobs the window holds (the alert monitor asks
// after every job that finishes). Gives what alert-rules' jobSuccessRate gives on the same outcomes.
import type { JobOutcome, JobSuccessRate } from './alert-rules';

interface Entry {
  atMs: number;
  /** 1 when it counts as finished (every end but `cancelled`), else 0. */
  finished: number;
  /** 1 when it ended `submitted`, else 0. */
  submitted: number;
  /** Running totals up to and including this entry. */
  finishedTotal: number;
  submittedTotal: number;
}

/** Compact the pruned front of the array once it is this long and over half of it. */
const COMPACT_AFTER = 1024;

export class OutcomeWindow {
  private entries: Entry[] = [];
  /** Entries before it are pruned. */
  private start = 0;

  add(outcome: JobOutcome): void {
    const finished = outcome.outcome === 'cancelled' ? 0 : 1;
    const submitted = outcome.outcome === 'submitted' ? 1 : 0;
    // Jobs end in time order but for clock skew: the place is nearly always the end.
    let at = this.entries.length;
    while (at > this.start && this.entries[at - 1].atMs > outcome.atMs) at--;
    const [finishedBefore, submittedBefore] = this.totalsBefore(at);
    this.entries.splice(at, 0, { atMs: outcome.atMs, finished, submitted, finishedTotal: finishedBefore + finished, submittedTotal: submittedBefore + submitted });
    for (let i = at + 1; i < this.entries.length; i++) {
      this.entries[i].finishedTotal += finished;
      this.entries[i].submittedTotal += submitted;
    }
  }

  /** Submitted / finished jobs that finished in (atMs - windowMs, atMs]. */
  rate(atMs: number, windowMs: number): JobSuccessRate {
    const from = this.firstAfter(atMs - windowMs);
    const to = this.firstAfter(atMs);
    if (from >= to) return { finished: 0, submitted: 0, rate: null };
    const [finishedBefore, submittedBefore] = this.totalsBefore(from);
    const finished = this.entries[to - 1].finishedTotal - finishedBefore;
    const submitted = this.entries[to - 1].submittedTotal - submittedBefore;
    return { finished, submitted, rate: finished === 0 ? null : submitted / finished };
  }

  /** Forgets the jobs that finished at or before `horizon`. */
  prune(horizon: number): void {
    this.start = this.firstAfter(horizon);
    if (this.start >= COMPACT_AFTER && this.start * 2 > this.entries.length) {
      this.entries = this.entries.slice(this.start);
      this.start = 0;
    }
  }

  /** The running totals of the entries before index `at`. */
  private totalsBefore(at: number): [number, number] {
    if (at > this.start) return [this.entries[at - 1].finishedTotal, this.entries[at - 1].submittedTotal];
    const first = this.entries[at];
    return first ? [first.finishedTotal - first.finished, first.submittedTotal - first.submitted] : [0, 0];
  }

  /** The first index from `start` whose job finished after `atMs`. */
  private firstAfter(atMs: number): number {
    let low = this.start;
    let high = this.entries.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (this.entries[mid].atMs <= atMs) low = mid + 1;
      else high = mid;
    }
    return low;
  }
}
