// Fills every step of an adapter's form in order, reporting each stage: for tools, benchmarks
// and tests that want the whole form at once (the engine runs one step per effect instead).
import { runOperation } from '@engine/browser';
import type { Page } from 'puppeteer-core';
import type { FillOptions, PortalAdapter } from '@portal-engine/adapter-kit';

export function fillAll<P>(adapter: PortalAdapter<P>, page: Page, payload: P, options: FillOptions): Promise<void> {
  return runOperation(`${adapter.id} fill`, options, async (scope) => {
    for (const step of adapter.fillSteps) {
      options.onStage?.(step);
      await adapter.fillStep(page, payload, step, { signal: scope.signal, timeoutMs: scope.remainingMs() });
    }
  });
}
