// Host pressure from injected readings on the simulated clock: memory before CPU, each above its
// threshold only, read again only once the sampling interval has passed.
import { SimulatedClock } from '@engine/core';
import { HostPressure, readHost, type HostReadings } from './host-pressure';

describe('HostPressure', () => {
  it('names memory or CPU above their thresholds, and nothing below them', async () => {
    const clock = new SimulatedClock(0);
    let readings: HostReadings = { loadPerCore: 0.5, memoryUsed: 0.5 };
    const pressure = new HostPressure({ clock, maxLoadPerCore: 2, maxMemoryUsed: 0.9, sampleEveryMs: 1_000, read: () => readings });
    expect(pressure.now()).toBeNull();
    readings = { loadPerCore: 2.5, memoryUsed: 0.95 };
    // Within the sampling interval the last reading stands.
    expect(pressure.now()).toBeNull();
    await clock.advance(1_000);
    expect(pressure.now()).toBe('memory');
    readings = { loadPerCore: 2.5, memoryUsed: 0.5 };
    await clock.advance(1_000);
    expect(pressure.now()).toBe('cpu');
    readings = { loadPerCore: 2, memoryUsed: 0.9 };
    await clock.advance(1_000);
    expect(pressure.now()).toBeNull();
  });

  it('reads this host as numbers in range', () => {
    const { loadPerCore, memoryUsed } = readHost();
    expect(loadPerCore).toBeGreaterThanOrEqual(0);
    expect(memoryUsed).toBeGreaterThan(0);
    expect(memoryUsed).toBeLessThan(1);
  });
});
