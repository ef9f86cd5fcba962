// The adaptive-concurrency decisions: which outcomes count as strain, halving at most once per
// burst of attempts then in flight, down to the floor, one step up per healthy round up to the ceiling.
import { adaptConcurrency, attemptSignal, initialAdaptiveState, type AdaptiveState, type AttemptSignal } from './adaptive-concurrency';

const bounds = { floor: 2, ceiling: 8 };

function feed(state: AdaptiveState, signals: AttemptSignal[]) {
  const changes: string[] = [];
  for (const signal of signals) {
    const next = adaptConcurrency(state, signal, bounds);
    state = next.state;
    if (next.change) changes.push(`${next.change.from}->${next.change.to} ${next.change.reason}`);
  }
  return { state, changes };
}

const times = (n: number, signal: AttemptSignal): AttemptSignal[] => Array(n).fill(signal);

describe('attemptSignal', () => {
  it('counts submissions as healthy, timeouts, a dead browser and portal 5xx as strain, and the rest as neutral', () => {
    expect(attemptSignal({ submitted: true, failureCode: null })).toBe('healthy');
    for (const code of ['TIMEOUT', 'OPERATION_CANCELLED', 'BROWSER_LAUNCH_FAILED', 'CONTEXT_CAPACITY', 'TargetCloseError', 'HTTP_503', 'HTTP_500']) {
      expect(attemptSignal({ submitted: false, failureCode: code })).toBe('strained');
    }
    for (const code of ['FORM_REJECTED', 'SESSION_EXPIRED', 'HTTP_404', 'UNEXPECTED_PAGE', 'MASTER_UNAVAILABLE']) {
      expect(attemptSignal({ submitted: false, failureCode: code })).toBe('neutral');
    }
    expect(attemptSignal({ submitted: false, failureCode: null })).toBe('neutral');
  });
});

describe('adaptConcurrency', () => {
  it('starts at the ceiling and stays there while attempts succeed', () => {
    const { state, changes } = feed(initialAdaptiveState(bounds), times(50, 'healthy'));
    expect(state.limit).toBe(8);
    expect(changes).toEqual([]);
  });

  it('halves on a strain, counts a burst of failures from the attempts then in flight once, and stops at the floor', () => {
    // Eight attempts fail together (a browser crash): one halving, not three.
    const burst = feed(initialAdaptiveState(bounds), times(8, 'strained'));
    expect(burst.changes).toEqual(['8->4 strained']);
    // Strain goes on after those have ended: down again, never below the floor.
    const more = feed(burst.state, times(20, 'strained'));
    expect(more.changes).toEqual(['4->2 strained']);
    expect(more.state.limit).toBe(2);
  });

  it('raises by one after each healthy round at the current limit, up to the ceiling', () => {
    const low = { limit: 2, healthyStreak: 0, settling: 0 };
    const { state, changes } = feed(low, times(2 + 3 + 4 + 5 + 6 + 7 + 10, 'healthy'));
    expect(changes).toEqual(['2->3 healthy', '3->4 healthy', '4->5 healthy', '5->6 healthy', '6->7 healthy', '7->8 healthy']);
    expect(state.limit).toBe(8);
  });

  it('a strain from an attempt started before the last decrease lowers nothing again but restarts the healthy round; neutral outcomes change nothing', () => {
    // Just lowered from 6: five attempts started before it are still to end.
    const low = { limit: 4, healthyStreak: 0, settling: 5 };
    const { state, changes } = feed(low, [...times(3, 'healthy'), 'strained', ...times(3, 'healthy'), ...times(5, 'neutral')]);
    expect(changes).toEqual([]);
    expect(state).toEqual({ limit: 4, healthyStreak: 3, settling: 0 });
    expect(feed(state, ['healthy']).changes).toEqual(['4->5 healthy']);
  });
});
