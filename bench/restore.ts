// Start-up restore and audit refold, on the SQLite store with 10,000 real job streams: nine in
// ten finished (submitted after one attempt that met the login form and a retry: 15 events),
// one in ten in flight (stopped while filling: 14 events, an effect pending). Restore reads one
// stored state per stream (no refold); the baseline in the same run is what a refold-at-start
// engine would do: read and fold every event. Also the cost of one XState transition of the job
// machine, which is what makes refolding expensive.
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { transition } from 'xstate';
import { ActorHost, SimulatedClock, refoldStore, resolveSnapshot, stepEvent, stepStart, type NewEvent } from '@engine/core';
import { SqliteEventStore } from '@engine/event-store';
import { JOB_MACHINE } from '@engine/machines';
import { jobInput } from '@engine/machines/testing';
import { sectionHeader, writeBenchmarkSection } from './report';

const STREAMS = Number(process.env.BENCH_STREAMS ?? 10_000);
const IN_FLIGHT_EVERY = 10;
const STEPS = ['applicant', 'vehicle', 'driver', 'cover', 'payment'];
/** The effect each outcome answers. */
const EFFECT_OF: Record<string, string> = { CLONED: 'cloneSession', SESSION_VALID: 'validateSession', LOGIN_FORM_SEEN: 'validateSession', STEP_FILLED: 'fillStep', SUBMITTED: 'submitForm' };

type JobEvent = { type: string; [field: string]: unknown };

/**
 * One job's stream as the engine writes it: an attempt that meets the login form, the retry
 * timer, a second attempt that fills every step and submits (or, in flight, stops before the
 * last step). Each outcome answers the pending effect it belongs to, each timer fires by its id.
 */
function jobStream(jobId: string, t0: number, inFlight: boolean): NewEvent[] {
  const stream = `${JOB_MACHINE.streamPrefix}${jobId}`;
  let at = t0;
  const iso = () => new Date(at).toISOString();
  let result = stepStart(JOB_MACHINE, stream, { ...jobInput, jobId, businessKey: `BK-${jobId}`, steps: STEPS }, { at });
  const records = [...result.records];
  const push = (event: JobEvent) => {
    at += 700;
    const timer = event.type.startsWith('TIMER.') ? result.state.timers[event.type.slice('TIMER.'.length)] : undefined;
    const effect = Object.entries(result.state.effects).find(([, e]) => e.type === EFFECT_OF[event.type]);
    const origin = timer ? { timerId: timer.id } : effect ? { effectId: effect[0] } : {};
    result = stepEvent(JOB_MACHINE, stream, records.length, result.state, result.snapshot, event as Parameters<typeof stepEvent>[5], { at, ...origin });
    records.push(...result.records);
  };
  push({ type: 'START', at: iso() });
  push({ type: 'CLONED', at: iso() });
  push({ type: 'LOGIN_FORM_SEEN', artifactRef: `art-${jobId}`, at: iso() });
  push({ type: 'TIMER.retry' });
  push({ type: 'START', at: iso() });
  push({ type: 'CLONED', at: iso() });
  push({ type: 'SESSION_VALID', at: iso() });
  for (const step of inFlight ? STEPS.slice(0, -1) : STEPS) push({ type: 'STEP_FILLED', step, at: iso() });
  if (!inFlight) push({ type: 'SUBMITTED', reference: `PRP-${jobId}`, at: iso() });
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
          const n = i + k;
          return setup.append(`${JOB_MACHINE.streamPrefix}${n}`, jobStream(String(n), t0, n % IN_FLIGHT_EVERY === 0), { expectedVersion: 'no-stream' });
        }),
      );
    }
    await setup.close();

    const store = new SqliteEventStore(file);
    const clock = new SimulatedClock(t0 + 60_000);
    const restoreStart = process.hrtime.bigint();
    const host = new ActorHost({ store, clock, definitions: [JOB_MACHINE], effects: {} });
    const report = await host.start();
    const restoreMs = Number(process.hrtime.bigint() - restoreStart) / 1e6;
    await host.stop();

    const refoldStart = process.hrtime.bigint();
    const refold = await refoldStore(store, [JOB_MACHINE]);
    const refoldMs = Number(process.hrtime.bigint() - refoldStart) / 1e6;
    const verifyStart = process.hrtime.bigint();
    const chainProblems = await store.verify();
    const verifyMs = Number(process.hrtime.bigint() - verifyStart) / 1e6;
    if (refold.replayProblems.length > 0 || chainProblems.length > 0 || report.restored + report.skippedFinal !== STREAMS) {
      throw new Error(`unexpected: restored ${report.restored}, replay problems ${refold.replayProblems.length}, chain problems ${chainProblems.length}`);
    }

    // One transition, measured alone: filling --STEP_FILLED--> filling (the next step's effect).
    const sample = jobStream('x', t0, true);
    const filling = sample[sample.length - 1].stateAfter as Parameters<typeof resolveSnapshot>[1];
    const snapshot = resolveSnapshot(JOB_MACHINE, filling);
    const fill = { type: 'STEP_FILLED', step: STEPS[STEPS.length - 2], at: new Date(t0).toISOString() } as Parameters<typeof transition>[2];
    const n = 50_000;
    for (let i = 0; i < 5_000; i++) transition(JOB_MACHINE.machine, snapshot, fill);
    const tStart = process.hrtime.bigint();
    for (let i = 0; i < n; i++) transition(JOB_MACHINE.machine, snapshot, fill);
    const transitionUs = Number(process.hrtime.bigint() - tStart) / 1e3 / n;
    await store.close();

    const total = refold.events;
    const table = [
      '| measure | result |',
      '| --- | --- |',
      `| job streams (finished: 15 events, in flight: 14) | ${STREAMS.toLocaleString('en-US')} (${total.toLocaleString('en-US')} events): ${report.restored.toLocaleString('en-US')} in flight restored, ${report.skippedFinal.toLocaleString('en-US')} finished |`,
      `| start-up restore (one read of every head, resolveState per stream in flight, its effect reported) | **${restoreMs.toFixed(0)} ms** |`,
      `| baseline: full refold of every event (read all + transition + compare with stored state) | ${refoldMs.toFixed(0)} ms (${Math.round(total / (refoldMs / 1000)).toLocaleString('en-US')} events/s) |`,
      `| hash-chain verification of every event (the other half of \`audit verify\`) | ${verifyMs.toFixed(0)} ms |`,
      `| restore speed-up vs refold | **${(refoldMs / restoreMs).toFixed(1)}×** |`,
      `| one XState transition (job, filling → filling on STEP_FILLED) | ${transitionUs.toFixed(1)} µs |`,
    ].join('\n');
    console.log(table);
    writeBenchmarkSection(
      'Start-up restore and audit refold (bench/restore.ts)',
      `${sectionHeader('node -r ./scripts/ts-run.js bench/restore.ts')}\n\nSQLite store, synchronous=FULL, ${STREAMS.toLocaleString('en-US')} job streams (one in ${IN_FLIGHT_EVERY} in flight). Aim: restore < 1 s, refold < 5 s. 1-minute load average at start: ${loadavg()[0].toFixed(1)} on ${cpus().length} cores.\n\n${table}`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
