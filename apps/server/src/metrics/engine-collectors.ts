// The scrape-time collectors: gauges and counters computed from the log's read model rather
// than fed by the engine as things happen, so they are right after a restart too.
// - engine_jobs{state}: jobs by current state from the live index (every known state is set,
//   zero included, so a series does not vanish when its last job moves on).
// - engine_master_recoveries_total{portal,level,outcome}: finished recovery attempts from each
//   master session's history (the log is append-only, so the counts only grow; an attempt still
//   running is counted once it ends).
import type { Engine } from '@engine/engine';
import { recoveryHistory } from '@engine/machines';
import { JOB_STATES } from '../jobs/jobs.schemas';
import type { EngineMetrics } from './metrics';
import type { MetricsCollector } from './metrics.tokens';

export function engineCollectors(engine: Engine): MetricsCollector[] {
  return [(metrics) => collectJobsByState(engine, metrics), recoveriesCollector(engine)];
}

function collectJobsByState(engine: Engine, metrics: EngineMetrics): void {
  const counts = new Map<string, number>(JOB_STATES.map((s) => [s, 0]));
  for (const entry of engine.index.all('job-')) {
    const state = String(entry.state.value);
    counts.set(state, (counts.get(state) ?? 0) + 1);
  }
  for (const [state, count] of counts) metrics.jobsByState.set({ state }, count);
}

/** Re-reads a master stream only when its version moved since the last scrape. */
function recoveriesCollector(engine: Engine): MetricsCollector {
  const byStream = new Map<string, { version: number; counts: Map<string, number> }>();
  return async (metrics) => {
    for (const entry of engine.index.all('master-')) {
      if (byStream.get(entry.stream)?.version === entry.version) continue;
      const counts = new Map<string, number>();
      for (const attempt of recoveryHistory(await engine.store.read(entry.stream))) {
        if (attempt.outcome === 'running') continue;
        const key = `${attempt.level}\u0000${attempt.outcome}`;
        counts.set(key, (counts.get(key) ?? 0) + 1);
      }
      byStream.set(entry.stream, { version: entry.version, counts });
    }
    metrics.recoveries.reset();
    for (const [stream, { counts }] of byStream) {
      const portal = stream.slice('master-'.length);
      for (const [key, count] of counts) {
        const [level, outcome] = key.split('\u0000');
        metrics.recoveries.inc({ portal, level, outcome }, count);
      }
    }
  };
}
