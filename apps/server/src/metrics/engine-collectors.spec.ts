// The scrape-time collectors over a fake read model: jobs by state (zeros included), finished
// recovery attempts by level and outcome, stable across scrapes, re-read only when the master
// stream moved.
import type { RecordedEvent } from '@engine/core';
import type { Engine, IndexedStream } from '@engine/engine';
import { engineCollectors } from './engine-collectors';
import { EngineMetrics } from './metrics';

type Attempt = { level: string; try: number; outcome: string; error: null };

function masterEvent(version: number, attempts: Attempt[]): RecordedEvent {
  const context = { recovery: { number: 1, trigger: 'failureReport', outcome: 'running', attempts, joinedReports: 0 } };
  return { stream: 'master-p', version, position: version, type: 't', data: {}, stateAfter: { value: 'recovering', context }, meta: { at: new Date(1_000 * version).toISOString() } } as unknown as RecordedEvent;
}

function fakeEngine(jobs: string[], master: RecordedEvent[]) {
  const reads: string[] = [];
  const entries: IndexedStream[] = [
    ...jobs.map((state, i) => ({ stream: `job-${i}`, version: 1, position: i, state: { value: state, context: {}, status: 'active' }, updatedAt: '' }) as unknown as IndexedStream),
    { stream: 'master-p', version: master.length, position: 99, state: { value: 'ready', context: {}, status: 'active' }, updatedAt: '' } as unknown as IndexedStream,
  ];
  const engine = {
    index: { *all(prefix: string) { yield* entries.filter((e) => e.stream.startsWith(prefix)); } },
    store: { read: async (stream: string) => (reads.push(stream), master) },
  } as unknown as Engine;
  return { engine, reads };
}

async function scrape(metrics: EngineMetrics, engine: Engine, collectors = engineCollectors(engine)) {
  for (const collect of collectors) await collect(metrics);
  return metrics.registry.metrics();
}

describe('engineCollectors', () => {
  it('counts jobs by state, with every other known state at zero', async () => {
    const { engine } = fakeEngine(['submitted', 'pending', 'submitted'], []);
    const text = await scrape(new EngineMetrics(), engine);
    expect(text).toContain('engine_jobs{state="submitted"} 2');
    expect(text).toContain('engine_jobs{state="pending"} 1');
    expect(text).toContain('engine_jobs{state="failed_post_submission"} 0');
  });

  it('counts finished recovery attempts by level and outcome, once each across repeated scrapes, reading the stream only when it moved', async () => {
    const master = [
      masterEvent(1, [{ level: 'soft', try: 1, outcome: 'running', error: null }]),
      masterEvent(2, [{ level: 'soft', try: 1, outcome: 'failed', error: null }]),
      masterEvent(3, [{ level: 'soft', try: 1, outcome: 'failed', error: null }, { level: 'hard', try: 1, outcome: 'running', error: null }]),
    ];
    const { engine, reads } = fakeEngine([], master);
    const metrics = new EngineMetrics();
    const collectors = engineCollectors(engine);
    await scrape(metrics, engine, collectors);
    const text = await scrape(metrics, engine, collectors);
    expect(text).toContain('engine_master_recoveries_total{portal="p",level="soft",outcome="failed"} 1');
    expect(text).not.toContain('level="hard"');
    expect(reads).toEqual(['master-p']);
  });
});
