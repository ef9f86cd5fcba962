// Time is a port: production uses the system clock, tests advance a simulated one.
export interface TimerHandle {
  cancel(): void;
}

export interface Clock {
  now(): number;
  /** Runs `fn` once at or after `atMs` (epoch ms). */
  schedule(atMs: number, fn: () => void): TimerHandle;
}

export class SystemClock implements Clock {
  now(): number {
    return Date.now();
  }

  schedule(atMs: number, fn: () => void): TimerHandle {
    // setTimeout caps at ~24.8 days; re-arm for longer waits.
    const MAX = 2 ** 31 - 1;
    let handle: NodeJS.Timeout;
    const arm = () => {
      const delay = atMs - Date.now();
      handle = setTimeout(delay > MAX ? arm : fn, Math.max(0, Math.min(delay, MAX)));
      handle.unref?.();
    };
    arm();
    return { cancel: () => clearTimeout(handle) };
  }
}

interface SimulatedTimer {
  atMs: number;
  seq: number;
  fn: () => void;
  cancelled: boolean;
}

/** A clock that only moves when told. `advance` fires due timers in time order. */
export class SimulatedClock implements Clock {
  private current: number;
  private seq = 0;
  private timers: SimulatedTimer[] = [];

  constructor(startMs = Date.UTC(2026, 0, 1)) {
    this.current = startMs;
  }

  now(): number {
    return this.current;
  }

  schedule(atMs: number, fn: () => void): TimerHandle {
    const timer: SimulatedTimer = { atMs, seq: this.seq++, fn, cancelled: false };
    this.timers.push(timer);
    return { cancel: () => { timer.cancelled = true; } };
  }

  /** Number of timers still waiting. */
  pending(): number {
    return this.timers.filter((t) => !t.cancelled).length;
  }

  /** Moves time forward by `ms`, firing each due timer at its own time; awaits microtasks between timers. */
  async advance(ms: number): Promise<void> {
    const target = this.current + ms;
    for (;;) {
      this.timers = this.timers.filter((t) => !t.cancelled);
      this.timers.sort((a, b) => a.atMs - b.atMs || a.seq - b.seq);
      const next = this.timers[0];
      if (!next || next.atMs > target) break;
      this.timers.shift();
      this.current = Math.max(this.current, next.atMs);
      next.fn();
      await flushMicrotasks();
    }
    this.current = target;
    await flushMicrotasks();
  }
}

async function flushMicrotasks(): Promise<void> {
  for (let i = 0; i < 20; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}
