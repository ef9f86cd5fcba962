// `audit verify`: every hash chain verifies and replaying every stream reproduces every stored
// state; the chains of archived streams verify from their segments, whose bytes must be the ones
// anchored in the `archive` stream. Exits non-zero naming each stream and version that fails.
import { auditStore, type EventStore, type AnyMachineDefinition } from '@engine/core';
import type { StreamArchive } from '@engine/event-store';
import { EXIT } from './cli-error';
import type { Progress } from './progress';

export async function auditVerifyCommand(
  store: EventStore,
  machines: readonly AnyMachineDefinition[],
  progress: Progress,
  out: (line: string) => void,
  err: (line: string) => void,
  archive?: StreamArchive,
): Promise<number> {
  // The chain check comes first and reports no progress of its own: say what is happening.
  err('checking every hash chain, then replaying every stream');
  const report = await auditStore(store, machines, { onProgress: (done, total) => progress.update(done, total) });
  progress.done();
  for (const p of report.chainProblems) err(`FAIL hash chain: stream ${p.stream} version ${p.version}: ${p.reason}`);
  for (const p of report.replayProblems) err(`FAIL replay: stream ${p.stream} version ${p.version} (machine version ${p.machineVersion}): ${p.reason}`);
  if (report.unknownStreams.length > 0) err(`note: ${report.unknownStreams.length} stream(s) have no registered machine and were only chain-checked: ${report.unknownStreams.slice(0, 5).join(', ')}`);
  const archived = archive ? await archive.verify() : undefined;
  for (const p of archived?.problems ?? []) err(`FAIL archive: segment ${p.segment}${p.stream ? `: stream ${p.stream} version ${p.version}` : ''}: ${p.reason}`);
  const ok = report.ok && (archived?.problems.length ?? 0) === 0;
  const verdict = ok ? 'OK' : 'FAILED';
  out(`audit ${verdict}: ${report.streams} stream(s), ${report.events} event(s), ${report.chainProblems.length} chain problem(s), ${report.replayProblems.length} replay problem(s)`);
  if (archived && archived.segments > 0) {
    out(`archive: ${archived.segments} segment(s), ${archived.streams} stream(s), ${archived.events} event(s), ${archived.problems.length} problem(s)`);
  }
  return ok ? EXIT.ok : EXIT.failed;
}
