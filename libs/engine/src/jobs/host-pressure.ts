// Whether the machine the engine runs on is under pressure, for adaptive concurrency: the load
// average per core and the share of memory in use (MemAvailable, so the page cache does not count
// as used). Read at most once per `sampleEveryMs` on the injected clock; the readers are injected
// so a test decides what the machine looks like.
import { readFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import type { Clock } from '@engine/core';

export interface HostReadings {
  /** The 1-minute load average divided by the number of cores. */
  loadPerCore: number;
  /** Memory in use, 0..1. */
  memoryUsed: number;
}

export interface HostPressureOptions {
  clock: Clock;
  /** Above this load per core the host is under pressure. */
  maxLoadPerCore: number;
  /** Above this share of memory in use the host is under pressure. */
  maxMemoryUsed: number;
  sampleEveryMs?: number;
  read?: () => HostReadings;
}

export type PressureCause = 'cpu' | 'memory';

export class HostPressure {
  private sampledAt = Number.NEGATIVE_INFINITY;
  private cause: PressureCause | null = null;

  constructor(private readonly options: HostPressureOptions) {}

  /** What puts the host under pressure now, or null. */
  now(): PressureCause | null {
    const at = this.options.clock.now();
    if (at - this.sampledAt >= (this.options.sampleEveryMs ?? 2_000)) {
      this.sampledAt = at;
      const readings = (this.options.read ?? readHost)();
      this.cause = readings.memoryUsed > this.options.maxMemoryUsed ? 'memory' : readings.loadPerCore > this.options.maxLoadPerCore ? 'cpu' : null;
    }
    return this.cause;
  }
}

/** This Linux host's readings (without /proc/meminfo: memory counts as not under pressure). */
export function readHost(): HostReadings {
  const cores = Math.max(1, cpus().length);
  let memoryUsed = 0;
  try {
    const available = /^MemAvailable:\s+(\d+) kB$/m.exec(readFileSync('/proc/meminfo', 'utf8'));
    if (available) memoryUsed = 1 - (Number(available[1]) * 1024) / totalmem();
  } catch {
    memoryUsed = 0;
  }
  return { loadPerCore: loadavg()[0] / cores, memoryUsed };
}
