// `export <stream> --format jsonl`: one recorded event per line, exactly as the log holds it
// (with version, position, meta and both hashes, so an export can be checked on its own).
import type { EventStore } from '@engine/core';
import { CliError, EXIT } from './cli-error';

export async function exportCommand(store: EventStore, stream: string, format: string, write: (chunk: string) => Promise<void>): Promise<number> {
  if (format !== 'jsonl') throw new CliError(`unsupported export format ${JSON.stringify(format)}: use --format jsonl`);
  const events = await store.read(stream);
  if (events.length === 0) throw new CliError(`stream ${stream} not found`);
  for (const e of events) {
    await write(`${JSON.stringify({ stream: e.stream, version: e.version, position: e.position, type: e.type, data: e.data, stateAfter: e.stateAfter, meta: e.meta, prevHash: e.prevHash, hash: e.hash })}\n`);
  }
  return EXIT.ok;
}
