// Start-up restore and audit refold, on the SQLite store with 10,000 live streams of 15 events
// (150,000 events). Restore reads one snapshot per stream (no refold); the baseline in the same
// run is what a refold-at-start engine would do: read and fold every event. Also the cost of
// one XState transition, which is what makes refolding expensive.
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { transition } from 'xstate';
import { ActorHost, SimulatedClock, refoldStore, resolveSnapshot, stepEvent, stepStart, type NewEvent } from '@engine/core';
import { SqliteEventStore } from '@engine/event-store';
import { HEARTBEAT_MACHINE } from '@engine/core/testing';
import { sectionHeader, writeBenchmarkSection } from './report';

const STREAMS = Number(process.env.BENCH_STREAMS ?? 10_000);
const input = { target: 'browser', intervalMs: 30_000, retryMs: 5_000, maxMisses: 3 };

/** The 15 events of one healthy heartbeat stream that has probed five times. */
function streamEvents(stream: string, t0: number): NewEvent[] {
  let at = t0;
  let result = stepStart(HEARTBEAT_MACHINE, stream, input, { at });
  const records = [...result.records];
  const push = (type: string, origin: { effectId?: string; timerId?: string }) => {
    at += 1_000;
    const event = type === 'PROBE_OK' ? { type, at: new Date(at).toISOString(), elapsedMs: 40 } : { type };
    result = stepEvent(HEARTBEAT_MACHINE, stream, records.length, result.state, result.snapshot, event, { at, ...origin });
    records.push(...result.records);
  };
  push('PROBE_OK', { effectId: Object.keys(result.state.effects)[0] });
  while (records.length < 15) {
    push('TIMER.next', { timerId: result.state.timers.next.id });
    push('PROBE_OK', { effectId: Object.keys(result.state.effects)[0] });
  }
  return records;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-restore-'));
  const file = join(dir, 'events.db');
  try {
    const setup = new SqliteEventStore(file, { synchronous: 'OFF' });
    const t0 = Date.UTC(2026, 0, 1);
    for (let i = 0; i < STREAMS; i += 500) {
      await Promise.all(
        Array.from({ length: Math.min(500, STREAMS - i) }, (_, k) => {
          const stream = `heartbeat-${i + k}`;
          return setup.append(stream, streamEvents(stream, t0), { expectedVersion: 'no-stream' });
        }),
      );
    }
    await setup.close();

    const store = new SqliteEventStore(file);
    const clock = new SimulatedClock(t0 + 60_000);
    const restoreStart = process.hrtime.bigint();
    const host = new ActorHost({ store, clock, definitions: [HEARTBEAT_MACHINE], effects: {} });
    const report = await host.start();
    const restoreMs = Number(process.hrtime.bigint() - restoreStart) / 1e6;
    await host.stop();

    const refoldStart = process.hrtime.bigint();
    const refold = await refoldStore(store, [HEARTBEAT_MACHINE]);
    const refoldMs = Number(process.hrtime.bigint() - refoldStart) / 1e6;
    const verifyStart = process.hrtime.bigint();
    const chainProblems = await store.verify();
    const verifyMs = Number(process.hrtime.bigint() - verifyStart) / 1e6;
    if (refold.replayProblems.length > 0 || chainProblems.length > 0 || report.restored !== STREAMS) {
      throw new Error(`unexpected: restored ${report.restored}, replay problems ${refold.replayProblems.length}, chain problems ${chainProblems.length}`);
    }

    // One transition, measured alone: healthy --TIMER.next--> probing.
    const [events] = [streamEvents('heartbeat-x', t0)];
    const healthy = events[events.length - 1].stateAfter as Parameters<typeof resolveSnapshot>[1];
    const snapshot = resolveSnapshot(HEARTBEAT_MACHINE, healthy);
    const n = 50_000;
    for (let i = 0; i < 5_000; i++) transition(HEARTBEAT_MACHINE.machine, snapshot, { type: 'TIMER.next' });
    const tStart = process.hrtime.bigint();
    for (let i = 0; i < n; i++) transition(HEARTBEAT_MACHINE.machine, snapshot, { type: 'TIMER.next' });
    const transitionUs = Number(process.hrtime.bigint() - tStart) / 1e3 / n;
    await store.close();

    const total = refold.events;
    const table = [
      '| measure | result |',
      '| --- | --- |',
      `| live streams restored (15 events each) | ${report.restored.toLocaleString('en-US')} (${total.toLocaleString('en-US')} events) |`,
      `| start-up restore from last snapshots (one read, resolveState per stream, timers re-armed) | **${restoreMs.toFixed(0)} ms** |`,
      `| baseline: full refold of every event (read all + transition + compare with stored state) | ${refoldMs.toFixed(0)} ms (${Math.round(total / (refoldMs / 1000)).toLocaleString('en-US')} events/s) |`,
      `| hash-chain verification of every event (the other half of \`audit verify\`) | ${verifyMs.toFixed(0)} ms |`,
      `| restore speed-up vs refold | **${(refoldMs / restoreMs).toFixed(1)}×** |`,
      `| one XState transition (heartbeat, healthy → probing) | ${transitionUs.toFixed(1)} µs |`,
    ].join('\n');
    console.log(table);
    writeBenchmarkSection(
      'Start-up restore and audit refold (bench/restore.ts)',
      `${sectionHeader('node -r ./scripts/ts-run.js bench/restore.ts')}\n\nSQLite store, synchronous=FULL, ${STREAMS.toLocaleString('en-US')} heartbeat streams. Aim: restore < 1 s, refold < 5 s. 1-minute load average at start: ${loadavg()[0].toFixed(1)} on ${cpus().length} cores.\n\n${table}`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
