// `replay <stream> [--to N]`: refolds one stream through its machine (no effect runs) and
// prints each step's version, event type and resulting state.
import { ReplayMismatchError, replayStream, type EventStore, type AnyMachineDefinition } from '@engine/core';
import { stateLabel } from '../inspector/chart/statechart-graph';
import { CliError, EXIT } from './cli-error';

export async function replayCommand(store: EventStore, machines: readonly AnyMachineDefinition[], stream: string, to: number | undefined, out: (line: string) => void): Promise<number> {
  const def = [...machines].sort((a, b) => b.streamPrefix.length - a.streamPrefix.length).find((d) => stream.startsWith(d.streamPrefix));
  if (!def) throw new CliError(`no machine is registered for stream ${stream}`);
  const events = await store.read(stream);
  if (events.length === 0) throw new CliError(`stream ${stream} not found`);
  if (to !== undefined && !events.some((e) => e.version === to)) throw new CliError(`stream ${stream} has no version ${to} (last is ${events[events.length - 1].version})`);
  try {
    const steps = replayStream(def, events, to);
    const typeWidth = Math.max(...steps.map((s) => s.type.length));
    out(`# ${stream}: machine ${def.id} v${def.version}, ${steps.length} step(s) replayed`);
    for (const step of steps) out(`${String(step.version).padStart(6)}  ${step.type.padEnd(typeWidth)}  ${stateLabel(step.state.value)}`);
    return EXIT.ok;
  } catch (error) {
    if (!(error instanceof ReplayMismatchError)) throw error;
    throw new CliError(`replay of ${error.stream} differs from the log at version ${error.version} (machine version ${error.machineVersion}): ${error.diff}`, EXIT.failed);
  }
}
