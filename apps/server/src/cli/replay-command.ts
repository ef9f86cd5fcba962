// `replay <stream> [--to N] [--full]`: refolds one stream through its machine (no effect runs)
// and prints each step's version, event type and resulting state. It starts from the latest
// usable snapshot at or before N (the header says which), or from version 1 with --full.
import { ReplayMismatchError, readForReplay, replayStream, type EventStore, type AnyMachineDefinition, type ReplaySource } from '@engine/core';
import { stateLabel } from '../inspector/chart/statechart-graph';
import { CliError, EXIT } from './cli-error';

export async function replayCommand(
  store: EventStore,
  machines: readonly AnyMachineDefinition[],
  stream: string,
  to: number | undefined,
  out: (line: string) => void,
  full = false,
): Promise<number> {
  const def = [...machines].sort((a, b) => b.streamPrefix.length - a.streamPrefix.length).find((d) => stream.startsWith(d.streamPrefix));
  if (!def) throw new CliError(`no machine is registered for stream ${stream}`);
  const last = await store.streamVersion(stream);
  if (last === 0) throw new CliError(`stream ${stream} not found`);
  if (to !== undefined && to > last) throw new CliError(`stream ${stream} has no version ${to} (last is ${last})`);
  const { events, start }: ReplaySource = full ? { events: await store.read(stream, 1, to) } : await readForReplay(store, def, stream, to);
  try {
    const steps = replayStream(def, events, to, start);
    const typeWidth = Math.max(0, ...steps.map((s) => s.type.length));
    const from = start ? `from the snapshot at version ${start.version} (taken ${start.takenAt})` : 'from version 1';
    out(`# ${stream}: machine ${def.id} v${def.version}, ${steps.length} step(s) replayed ${from}`);
    for (const step of steps) out(`${String(step.version).padStart(6)}  ${step.type.padEnd(typeWidth)}  ${stateLabel(step.state.value)}`);
    return EXIT.ok;
  } catch (error) {
    if (!(error instanceof ReplayMismatchError)) throw error;
    throw new CliError(`replay of ${error.stream} differs from the log at version ${error.version} (machine version ${error.machineVersion}): ${error.diff}`, EXIT.failed);
  }
}
