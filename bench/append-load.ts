// Shared by the event-store benchmarks: the event every writer appends, the closed-loop writers
// that measure durable appends, and the disk-flush probe that bounds what any store can reach.
import { closeSync, fdatasyncSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EventStore, NewEvent } from '@engine/core';

export interface Round {
  events: number;
  seconds: number;
  latenciesMs: number[];
  transactions: number;
  appends: number;
}

export type StatsStore = Pick<EventStore, 'append'> & { stats(): { transactions: number; appends: number } };

/** A typical host event: one transition with its full state snapshot (~600 bytes of JSON). */
export function hostEvent(writer: number, n: number): NewEvent {
  return {
    type: 'job.fill_step_completed',
    data: { jobId: `job-${writer}`, step: n % 7, fields: { country: 'DE', postcode: '10115' } },
    stateAfter: {
      value: { filling: 'step' },
      context: { jobId: `job-${writer}`, attempt: 1, step: n % 7, portal: 'portal-sim', business: { key: `BK-${writer}-${n}`, amount: 1234.5 }, history: ['cloned', 'validated', 'filling'] },
    },
    meta: { at: new Date().toISOString(), machineId: 'job', machineVersion: '1.0.0' },
  };
}

/**
 * `writers` writers, each appending one event at a time to its own stream with an exact
 * expectedVersion and waiting for the acknowledgement; warm up, then count what is acknowledged
 * during `measureMs`, with each append's latency and the store's transactions in that window.
 */
export async function measureAppends(store: StatsStore, writers: number, warmUpMs: number, measureMs: number): Promise<Round> {
  let measuring = false;
  let stop = false;
  const latenciesMs: number[] = [];
  let events = 0;
  const writer = async (w: number) => {
    let version = 0;
    for (let n = 0; !stop; n++) {
      const started = process.hrtime.bigint();
      version = (await store.append(`job-${w}`, [hostEvent(w, n)], { expectedVersion: version })).version;
      if (measuring) {
        latenciesMs.push(Number(process.hrtime.bigint() - started) / 1e6);
        events++;
      }
    }
  };
  const running = Array.from({ length: writers }, (_, w) => writer(w));
  await sleep(warmUpMs);
  const before = store.stats();
  const started = process.hrtime.bigint();
  measuring = true;
  await sleep(measureMs);
  measuring = false;
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const after = store.stats();
  stop = true;
  await Promise.all(running);
  return { events, seconds, latenciesMs, transactions: after.transactions - before.transactions, appends: after.appends - before.appends };
}

export function rate(round: Round): number {
  return round.events / round.seconds;
}

/**
 * `pageBytes` write + fdatasync in a loop on the temp disk for one second: how many flushes the
 * disk grants. A writer waiting for its acknowledgement needs one flush per append, so W writers
 * cannot exceed W × this rate, however the store batches.
 */
export function diskFlushesPerSecond(pageBytes: number): number {
  const dir = mkdtempSync(join(tmpdir(), 'bench-flush-'));
  const fd = openSync(join(dir, 'probe'), 'w');
  const page = Buffer.alloc(pageBytes, 1);
  try {
    let flushes = 0;
    const until = Date.now() + 1000;
    while (Date.now() < until) {
      writeSync(fd, page, 0, page.length, 0);
      fdatasyncSync(fd);
      flushes++;
    }
    return flushes;
  } finally {
    closeSync(fd);
    rmSync(dir, { recursive: true, force: true });
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
