// How an engine joins a group of workers sharing one PostgreSQL store, and the one function
// createEngine calls to build its share of the streams (scale-out/postgres-stream-leases.ts).
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { InvalidCommandError, type ActorHost, type ActorState, type Clock, type EventStore, type Logger, type StateOf } from '@engine/core';
import { takeoverEvent, type MasterSessionDefinition } from '@engine/machines';
import { CommandInbox } from './command-inbox';
import { PostgresStreamLeases } from './postgres-stream-leases';
import { WorkerOwnership } from './worker-ownership';

export interface ScaleOutOptions {
  /** The same PostgreSQL database as the event store (the lease table lives next to the events). */
  databaseUrl: string;
  /** Unique per worker; default `<hostname>-<pid>-<random>`. */
  workerId?: string;
  /** Default 15 s: how long a dead worker's streams wait before another worker takes them. */
  leaseTtlMs?: number;
  /** Default a quarter of the TTL. */
  heartbeatMs?: number;
  /** Job leases one worker holds at once. Default twice the scheduler's concurrency. */
  maxHeldJobs?: number;
  /** When set, job leases all workers together hold at once (a global concurrency limit). */
  globalMaxHeldJobs?: number;
}

export interface ScaleOutParts {
  options: ScaleOutOptions;
  store: EventStore;
  host: ActorHost;
  clock: Clock;
  logger: Logger;
  portals: string[];
  masterSessions?: { stream: string; portal: string }[];
  concurrency: number;
  onChanged: (stream: string) => void;
}

export function createWorkerOwnership(parts: ScaleOutParts): WorkerOwnership {
  const { options, clock } = parts;
  const leases = new PostgresStreamLeases(options.databaseUrl, {
    workerId: options.workerId ?? `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`,
    ttlMs: options.leaseTtlMs ?? 15_000,
  });
  const inbox = new CommandInbox({
    store: parts.store,
    clock,
    logger: parts.logger,
    host: parts.host,
    markApplied: (stream, version, fence) => leases.markInboxApplied(stream, version, fence),
  });
  return new WorkerOwnership({
    leases,
    inbox,
    store: parts.store,
    host: parts.host,
    logger: parts.logger,
    portals: parts.portals,
    masterSessions: parts.masterSessions,
    heartbeatMs: options.heartbeatMs,
    maxHeldJobs: options.maxHeldJobs ?? 2 * parts.concurrency,
    globalMaxHeldJobs: options.globalMaxHeldJobs,
    onChanged: parts.onChanged,
    // A master session's browser (and a login parked on a captcha) lived in the worker that held
    // it: heal it here at once, as a restart does, instead of waiting for the next heartbeat.
    onAdopted: async (stream, state: ActorState) => {
      if (!stream.startsWith('master-')) return;
      const event = takeoverEvent(state as StateOf<MasterSessionDefinition>, new Date(clock.now()).toISOString(), 'owner_changed');
      if (!event) return;
      await parts.host
        .send(stream, event)
        .catch((error) => {
          if (!(error instanceof InvalidCommandError)) throw error;
        });
    },
  });
}
