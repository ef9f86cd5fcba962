// `engine backup` / `engine restore` on a SQLite store of 150,000 events (18,750 job streams of
// 8 events each, written by the real job machine's steps). Baseline in the same run: a plain
// copy of the file with the server stopped (what an operator would do without the command).
// Then the online backup again while another process appends to the store (the real actor
// host with instant fake effects, as a busy server), counting what it appended meanwhile.
import { spawn } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { stepEvent, stepStart, type NewEvent, type StepResult } from '@engine/core';
import { JOB_MACHINE } from '@engine/machines';
import { backupSqliteStore, restoreSqliteStore, SqliteEventStore } from '@engine/event-store';
import { sectionHeader, writeBenchmarkSection } from './report';

const JOBS = Number(process.env.BENCH_JOBS ?? 18_750);
const STEPS = ['applicant', 'vehicle', 'confirm'];

/** The 8 events of one job that is cloned, validated, filled in three steps and submitted. */
function jobEvents(id: string, t0: number): NewEvent[] {
  const stream = `job-${id}`;
  let at = t0;
  const payload = { applicant: { name: `Applicant ${id}`, email: `a${id}@example.test` }, vehicle: { chassisNo: `CH${id.padStart(12, '0')}`, year: 2021 }, premium: 412.5 };
  let result: StepResult = stepStart(JOB_MACHINE, stream, { jobId: id, portal: 'sim', payload, businessKey: `BK-${id}`, steps: STEPS }, { at });
  const records = [...result.records];
  const next = (event: Record<string, unknown> & { type: string }, outcome: boolean) => {
    at += 500;
    const effectId = outcome ? Object.keys(result.state.effects).find((e) => result.state.effects[e].type !== 'closeClone') : undefined;
    result = stepEvent(JOB_MACHINE, stream, records.length, result.state, result.snapshot, event, { at, effectId });
    records.push(...result.records);
  };
  const iso = () => new Date(at).toISOString();
  next({ type: 'START', at: iso() }, false);
  next({ type: 'CLONED', at: iso() }, true);
  next({ type: 'SESSION_VALID', at: iso() }, true);
  for (const step of STEPS) next({ type: 'STEP_FILLED', step, at: iso() }, true);
  next({ type: 'SUBMITTED', reference: `REF-${id}`, at: iso() }, true);
  return records;
}

function lastPosition(file: string): number {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    return (db.prepare('SELECT coalesce(max(position), 0) AS p FROM events').get() as { p: number }).p;
  } finally {
    db.close();
  }
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-backup-'));
  const file = join(dir, 'events.db');
  try {
    const setup = new SqliteEventStore(file, { synchronous: 'OFF' });
    const t0 = Date.UTC(2026, 0, 1);
    for (let i = 0; i < JOBS; i += 500) {
      await Promise.all(
        Array.from({ length: Math.min(500, JOBS - i) }, (_, k) => {
          const id = String(i + k);
          return setup.append(`job-${id}`, jobEvents(id, t0), { expectedVersion: 'no-stream' });
        }),
      );
    }
    await setup.close();
    const events = lastPosition(file);
    const storeBytes = statSync(file).size;

    let start = process.hrtime.bigint();
    copyFileSync(file, join(dir, 'plain-copy.db'));
    const copyMs = Number(process.hrtime.bigint() - start) / 1e6;

    const quiet = await backupSqliteStore(file, join(dir, 'backup-quiet.db'));
    if (quiet.events !== events) throw new Error(`backup holds ${quiet.events} of ${events} events`);

    start = process.hrtime.bigint();
    const restored = await restoreSqliteStore(quiet.file, join(dir, 'restored', 'events.db'));
    const restoreMs = Number(process.hrtime.bigint() - start) / 1e6;
    if (restored.events !== events) throw new Error(`restore holds ${restored.events} of ${events} events`);

    // A busy server: the writer appends throughout; the backup is taken once it is under way.
    const writer = spawn(process.execPath, ['-r', './scripts/ts-run.js', 'apps/server/src/cli/testing/appending-writer.ts', file], { cwd: resolve(__dirname, '..'), stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((ready) => writer.stdout?.on('data', (chunk: Buffer) => chunk.toString().includes('ready') && ready()));
    while (lastPosition(file) < events + 2_000) await new Promise((r) => setTimeout(r, 50));
    const busyBefore = lastPosition(file);
    const busy = await backupSqliteStore(file, join(dir, 'backup-busy.db'));
    const busyAfter = lastPosition(file);
    writer.kill('SIGTERM');
    await new Promise((done) => writer.once('exit', done));

    const table = [
      '| measure | result |',
      '| --- | --- |',
      `| store | ${events.toLocaleString('en-US')} events in ${JOBS.toLocaleString('en-US')} job streams, ${mib(storeBytes)} |`,
      `| baseline: plain file copy, server stopped | ${seconds(copyMs)} |`,
      `| \`engine backup\` (online backup API in one step, integrity check, fsync, rename), quiet store | **${seconds(quiet.ms)}**, ${mib(quiet.bytes)} (${(quiet.ms / copyMs).toFixed(1)}× the plain copy) |`,
      `| \`engine restore\` into a fresh folder (copy, every hash chain verified, fsync, rename) | **${seconds(restoreMs)}** |`,
      `| \`engine backup\` while another process appends | **${seconds(busy.ms)}**, ${busy.events.toLocaleString('en-US')} events up to position ${busy.lastPosition.toLocaleString('en-US')} |`,
      `| appended by that process during the backup (positions before → after) | ${(busyAfter - busyBefore).toLocaleString('en-US')} events (${busyBefore.toLocaleString('en-US')} → ${busyAfter.toLocaleString('en-US')}) |`,
    ].join('\n');
    console.log(table);
    writeBenchmarkSection(
      'Backup and restore of the SQLite store (bench/backup.ts)',
      `${sectionHeader('node -r ./scripts/ts-run.js bench/backup.ts')}\n\nThe library functions behind \`engine backup\` / \`engine restore\`, timed in-process (the CLI adds its start-up). 1-minute load average at start: ${loadavg()[0].toFixed(1)} on ${cpus().length} cores (shared machine).\n\n${table}`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
