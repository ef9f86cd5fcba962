// Whole-store audit: every hash chain verifies and every stream replays to its stored states.
// Runs on demand (CLI, API) and in the background after start.
import type { ChainProblem, EventStore } from '../event-store';
import { ReplayMismatchError } from '../errors';
import type { RecordedEvent } from '../recorded-event';
import type { AnyMachineDefinition } from './machine-definition';
import { replayStream } from './replay';

export interface ReplayProblem {
  stream: string;
  version: number;
  machineVersion: string;
  reason: string;
}

export interface AuditReport {
  streams: number;
  events: number;
  chainProblems: ChainProblem[];
  replayProblems: ReplayProblem[];
  /** Streams with no registered machine (reported, not failed). */
  unknownStreams: string[];
  ok: boolean;
}

export interface AuditOptions {
  pageSize?: number;
  onProgress?: (done: number, total: number) => void;
}

export interface RefoldReport {
  streams: number;
  events: number;
  replayProblems: ReplayProblem[];
  /** Streams with no registered machine (reported, not failed). */
  unknownStreams: string[];
}

/** Hash chains and refold: the whole audit. */
export async function auditStore(store: EventStore, definitions: readonly AnyMachineDefinition[], options: AuditOptions = {}): Promise<AuditReport> {
  const chainProblems = await store.verify();
  const refold = await refoldStore(store, definitions, options);
  return { ...refold, chainProblems, ok: chainProblems.length === 0 && refold.replayProblems.length === 0 };
}

/** Reads the whole log once and replays every stream through its machine; runs no effect. */
export async function refoldStore(store: EventStore, definitions: readonly AnyMachineDefinition[], options: AuditOptions = {}): Promise<RefoldReport> {
  const byStream = new Map<string, RecordedEvent[]>();
  let events = 0;
  for (let position = 0; ; ) {
    const page = await store.readAll(position, options.pageSize ?? 10_000);
    if (page.length === 0) break;
    for (const e of page) {
      let list = byStream.get(e.stream);
      if (!list) byStream.set(e.stream, (list = []));
      list.push(e);
    }
    events += page.length;
    position = page[page.length - 1].position;
  }
  const sorted = [...definitions].sort((a, b) => b.streamPrefix.length - a.streamPrefix.length);
  const replayProblems: ReplayProblem[] = [];
  const unknownStreams: string[] = [];
  let done = 0;
  for (const [stream, list] of byStream) {
    const def = sorted.find((d) => stream.startsWith(d.streamPrefix));
    if (!def) unknownStreams.push(stream);
    else {
      try {
        replayStream(def, list);
      } catch (error) {
        if (!(error instanceof ReplayMismatchError)) throw error;
        replayProblems.push({ stream, version: error.version, machineVersion: error.machineVersion, reason: error.message });
      }
    }
    done += 1;
    options.onProgress?.(done, byStream.size);
  }
  return { streams: byStream.size, events, replayProblems, unknownStreams };
}
