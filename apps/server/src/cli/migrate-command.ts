// `migrate --dry-run | --apply`: moves every in-flight (not final) stream on an older version of
// its machine to the newest one along the declared migrations (migrateStreams). --dry-run lists
// what each would become and changes nothing; --apply records an `actor.migrated` event per
// migration, so the stream continues on the new definition. Run it while the server is stopped:
// each append states the version it read, so a stream written meanwhile is refused and reported,
// but a running server keeps its streams' state in memory and would not see the migration.
// A stream with no declared migration path stays on its version and is listed. Twice: no-op.
import { migrateStreams, type AnyMachineDefinition, type Clock, type EventStore, type StreamMigration } from '@engine/core';
import { stateLabel } from '../inspector/chart/statechart-graph';
import { EXIT } from './cli-error';

export async function migrateCommand(
  store: EventStore,
  machines: readonly AnyMachineDefinition[],
  apply: boolean,
  clock: Clock,
  out: (line: string) => void,
  err: (line: string) => void,
): Promise<number> {
  const report = await migrateStreams(store, machines, { apply, clock });
  const count = (outcome: StreamMigration['outcome']) => report.filter((m) => m.outcome === outcome).length;
  for (const m of report) {
    const what = `${m.stream} (machine ${m.machineId}, stream version ${m.streamVersion})`;
    if (m.outcome === 'migrate') out(`${apply ? 'migrated' : 'would migrate'} ${what}: v${m.path.join(' → v')}, state ${stateLabel(m.stateBefore)} → ${stateLabel(m.stateAfter)}`);
    else if (m.outcome === 'no-path') out(`stays on v${m.from} ${what}: ${m.reason}`);
    else err(`FAIL ${what}: ${m.reason}`);
  }
  const failed = count('invalid') + count('conflict');
  const stay = count('no-path');
  const tail = `${stay} stay on their version${failed > 0 ? `, ${failed} failed` : ''}`;
  if (!apply) out(`dry run: ${count('migrate')} in-flight stream(s) would move to their machine's newest version, ${tail}; nothing was changed`);
  else out(`migrate ${failed > 0 ? 'FAILED' : 'OK'}: ${count('migrate')} in-flight stream(s) moved to their machine's newest version, ${tail}`);
  return failed > 0 ? EXIT.failed : EXIT.ok;
}
