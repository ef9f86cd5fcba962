// One master-session stream of 100,000 events (years of keep-alives, with a soft recovery now
// and then) on the SQLite store, snapshots every 500 events as the host takes them. Measured in
// the same run: the engine's start-up restore (one read of the stream's last event, no fold);
// replaying the stream to its end and to its middle from version 1 (the baseline: what every
// replay paid before snapshots) and from the latest usable snapshot (readForReplay).
import { execSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ActorHost,
  DEFAULT_SNAPSHOT_EVERY,
  SimulatedClock,
  readForReplay,
  replayStream,
  stateAtVersion,
  stepEvent,
  stepStart,
  type ActorState,
  type NewEvent,
  type StepResult,
} from '@engine/core';
import { SqliteEventStore } from '@engine/event-store';
import { MASTER_SESSION_MACHINE } from '@engine/machines';
import { median, sectionHeader, writeBenchmarkSection } from './report';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 100_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const STREAM = 'master-portal-a';
const DEF = MASTER_SESSION_MACHINE;

/** The answer a healthy portal gives to each effect the master session starts. */
function outcome(type: string, params: unknown, at: string): Record<string, unknown> & { type: string } {
  switch (type) {
    case 'launchBrowser':
      return { type: 'BROWSER_LAUNCHED' };
    case 'closeBrowser':
      return { type: 'BROWSER_CLOSED' };
    case 'login':
    case 'relogin':
      return { type: 'LOGGED_IN', at };
    case 'probeSession':
      return { type: 'PROBE_OK', probe: (params as { probe: number }).probe, at };
    default:
      throw new Error(`the bench does not answer ${type}`);
  }
}

/** Steps of the stream (each one append's worth of records) until it holds at least `events` events and rests in ready. */
function masterSessionSteps(events: number, t0: number): NewEvent[][] {
  let at = t0;
  let version = 0;
  let heartbeats = 0;
  const steps: NewEvent[][] = [];
  const take = (result: StepResult) => {
    steps.push(result.records);
    version += result.records.length;
    return result;
  };
  let result = take(stepStart(DEF, STREAM, { portal: 'portal-a', credentialsRef: 'secret://portal-a/login' }, { at }));
  for (;;) {
    const state: ActorState = result.state;
    const [effectId] = Object.keys(state.effects);
    at += 1_000;
    const iso = new Date(at).toISOString();
    if (effectId) {
      const effect = state.effects[effectId];
      result = take(stepEvent(DEF, STREAM, version, state, result.snapshot, outcome(effect.type, effect.params, iso), { at, effectId }));
      continue;
    }
    if (version >= events && state.value === 'ready') return steps;
    // Every 200th keep-alive a job reports the session dead: a soft recovery (re-login).
    if (state.value === 'ready' && ++heartbeats % 200 === 0) {
      const report = { type: 'FAILURE_REPORTED', jobId: `job-${heartbeats}`, reason: 'session expired', at: iso };
      result = take(stepEvent(DEF, STREAM, version, state, result.snapshot, report, { at }));
      continue;
    }
    const [name, timer] = Object.entries(state.timers).sort(([, a], [, b]) => a.dueAt - b.dueAt)[0];
    at = Math.max(at, timer.dueAt);
    result = take(stepEvent(DEF, STREAM, version, state, result.snapshot, { type: `TIMER.${name}` }, { at, timerId: timer.id }));
  }
}

function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const start = process.hrtime.bigint();
  return fn().then((value) => ({ ms: Number(process.hrtime.bigint() - start) / 1e6, value }));
}

async function medianOf<T>(fn: () => Promise<T>, check: (value: T) => void): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const { ms, value } = await timed(fn);
    check(value);
    times.push(ms);
  }
  return median(times);
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-snapshot-restore-'));
  const file = join(dir, 'events.db');
  const t0 = Date.UTC(2026, 0, 1);
  try {
    // Written as the host would: one append per step, a snapshot when an append passes a multiple of 500.
    // Ends just before the next snapshot would be due: the longest tail a replay from a snapshot folds.
    const steps = masterSessionSteps(EVENTS + DEFAULT_SNAPSHOT_EVERY - 20, t0);
    const setup = new SqliteEventStore(file, { synchronous: 'OFF' });
    let version = 0;
    let snapshots = 0;
    let lastSnapshot = 0;
    for (let i = 0; i < steps.length; i += 1_000) {
      await Promise.all(
        steps.slice(i, i + 1_000).map((records) => {
          const before = version;
          version += records.length;
          return setup.append(STREAM, records, { expectedVersion: before }).then(async (appended) => {
            if (Math.floor(before / DEFAULT_SNAPSHOT_EVERY) === Math.floor(appended.version / DEFAULT_SNAPSHOT_EVERY)) return;
            const last = records[records.length - 1];
            await setup.saveSnapshot({
              stream: STREAM,
              version: appended.version,
              hash: appended.events[appended.events.length - 1].hash,
              machineId: DEF.id,
              machineVersion: DEF.version,
              state: last.stateAfter,
              takenAt: last.meta.at,
            });
            snapshots += 1;
            lastSnapshot = Math.max(lastSnapshot, appended.version);
          });
        }),
      );
    }
    await setup.close();

    const store = new SqliteEventStore(file);
    const total = await store.streamVersion(STREAM);
    const middle = Math.floor(total / 2);
    const lastState = (await store.read(STREAM, total))[0].stateAfter;
    const midState = (await store.read(STREAM, middle))[0].stateAfter;

    const startUp = await medianOf(
      async () => {
        const host = new ActorHost({ store, clock: new SimulatedClock(t0 + 365 * 86_400_000), definitions: [DEF], effects: {} });
        const report = await host.start();
        await host.stop();
        return report;
      },
      (report) => {
        if (report.restored !== 1 || report.timersArmed !== 1) throw new Error(`unexpected restore ${JSON.stringify(report)}`);
      },
    );
    const expectState = (expected: unknown) => (state: ActorState) => {
      if (JSON.stringify(state) !== JSON.stringify(expected)) throw new Error('replayed state differs from the stored one');
    };
    const fullToEnd = await medianOf(async () => {
      const events = await store.read(STREAM);
      return replayStream(DEF, events).at(-1)!.state;
    }, expectState(lastState));
    const snapshotToEnd = await medianOf(async () => {
      const { events, start } = await readForReplay(store, DEF, STREAM);
      if (!start) throw new Error('no usable snapshot');
      return stateAtVersion(DEF, events, total, start);
    }, expectState(lastState));
    const fullToMiddle = await medianOf(async () => stateAtVersion(DEF, await store.read(STREAM, 1, middle), middle), expectState(midState));
    const snapshotToMiddle = await medianOf(async () => {
      const { events, start } = await readForReplay(store, DEF, STREAM, middle);
      if (!start) throw new Error('no usable snapshot');
      return stateAtVersion(DEF, events, middle, start);
    }, expectState(midState));
    await store.close();

    const n = (x: number) => x.toLocaleString('en-US');
    const table = [
      '| measure (median of ' + RUNS + ' runs) | result |',
      '| --- | --- |',
      `| stream | one master session, ${n(total)} events (${n(steps.length)} appends), ${n(snapshots)} snapshots (every ${DEFAULT_SNAPSHOT_EVERY}); the last at ${n(lastSnapshot)}, so ${n(total - lastSnapshot)} events to fold after it |`,
      `| engine start-up restore (\`ActorHost.start\`: heads read, resolveState, heartbeat timer re-armed) | **${startUp.toFixed(1)} ms** |`,
      `| baseline: restore by folding the whole stream (read all + replay from version 1) | ${fullToEnd.toFixed(0)} ms |`,
      `| restore by replay from the latest snapshot (readForReplay + fold of the tail) | **${snapshotToEnd.toFixed(1)} ms** (${(fullToEnd / snapshotToEnd).toFixed(0)}× faster than the baseline) |`,
      `| baseline: state at version ${n(middle)} (inspector time travel) from version 1 | ${fullToMiddle.toFixed(0)} ms |`,
      `| state at version ${n(middle)} from the snapshot at or before it | **${snapshotToMiddle.toFixed(1)} ms** (${(fullToMiddle / snapshotToMiddle).toFixed(0)}×) |`,
    ].join('\n');
    console.log(table);
    const commit = execSync('git rev-parse --short HEAD', { encoding: 'utf8' }).trim();
    writeBenchmarkSection(
      'Snapshots: restore and replay of a 100k-event master session (bench/snapshot-restore.ts)',
      `${sectionHeader('node -r ./scripts/ts-run.js bench/snapshot-restore.ts')}  \nCommit: ${commit} (the figures are of this tree)\n\n` +
        `SQLite store, synchronous=FULL. Goal: < 200 ms with snapshots. 1-minute load average at start: ${loadavg()[0].toFixed(1)} on ${cpus().length} cores.\n\n` +
        'Every event stores the state after it (`stateAfter`), so the engine\'s own start-up restore never folds: it reads each stream\'s last event ' +
        '(first row). Folding is what replays do — `engine replay`, the inspector\'s time travel, `GET /api/streams/:id/state?version=` — ' +
        'and what a restore that trusts no stored state would do (second row, the baseline); snapshots bound that fold to the events after the ' +
        'latest one (at most ~500). `audit verify` still folds every stream from version 1 and checks every hash chain.\n\n' +
        table,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
