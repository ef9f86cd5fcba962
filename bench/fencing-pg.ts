// What fencing costs an append on the PostgreSQL store: 8 closed-loop writers (bench/append-load.ts)
// appending to their own leased streams, once plainly (the baseline) and once carrying their
// lease's fencing token, which makes each group-commit transaction also read the lease rows
// FOR KEY SHARE. Rounds alternate between the two in one run, on one throwaway cluster; the median
// round of each is reported, and the ratio of the two within each round.
//   node -r ./scripts/ts-run.js bench/fencing-pg.ts
import { cpus, loadavg } from 'node:os';
import type { AppendOptions, AppendResult, NewEvent } from '@engine/core';
import { PostgresEventStore } from '@engine/event-store';
import { PostgresStreamLeases } from '../libs/engine/src/scale-out/postgres-stream-leases';
import { startPostgresCluster } from '../libs/event-store/src/testing/postgres-cluster';
import { measureAppends, rate, type Round, type StatsStore } from './append-load';
import { percentile, sectionHeader, writeBenchmarkSection } from './report';

const WRITERS = 8;
const WARM_UP_MS = 500;
const MEASURE_MS = Number(process.env.BENCH_MEASURE_MS ?? 3000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);

async function round(url: string, fenced: boolean): Promise<Round> {
  const leases = new PostgresStreamLeases(url, { workerId: 'bench', ttlMs: 600_000 });
  const store = await PostgresEventStore.open(url);
  try {
    await leases.ensureSchema();
    const streams = Array.from({ length: WRITERS }, (_, w) => ({ stream: `job-${w}`, portal: 'p' }));
    await leases.add('job', streams);
    const claimed = await leases.claimJobs(['p'], WRITERS);
    const fences = new Map(claimed.map((l) => [l.stream, l.fence]));
    if (fences.size !== WRITERS) throw new Error(`claimed ${fences.size} of ${WRITERS} streams`);
    const writer: StatsStore = {
      append: (stream: string, events: NewEvent[], options: AppendOptions): Promise<AppendResult> => store.append(stream, events, fenced ? { ...options, fence: fences.get(stream) } : options),
      stats: () => store.stats(),
    };
    const result = await measureAppends(writer, WRITERS, WARM_UP_MS, MEASURE_MS);
    if ((await store.verify()).length > 0) throw new Error('hash chains do not verify');
    return { ...result, latenciesMs: result.latenciesMs.sort((a, b) => a - b) };
  } finally {
    await store.close();
    await leases.close();
  }
}

const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

async function main(): Promise<void> {
  const load = loadavg()[0];
  const cluster = await startPostgresCluster();
  try {
    const plain: Round[] = [];
    const fenced: Round[] = [];
    const ratios: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      plain.push(await round(await cluster.createDatabase(), false));
      fenced.push(await round(await cluster.createDatabase(), true));
      ratios.push(rate(fenced[r]) / rate(plain[r]));
      console.log(`round ${r + 1}: plain ${fmt(rate(plain[r]))}/s, fenced ${fmt(rate(fenced[r]))}/s`);
    }
    const middle = <T>(values: T[], key: (v: T) => number) => [...values].sort((a, b) => key(a) - key(b))[Math.floor(values.length / 2)];
    const row = (name: string, rounds: Round[], ratio: string) => {
      const all = rounds.flatMap((x) => x.latenciesMs).sort((a, b) => a - b);
      return `| ${name} | **${fmt(rate(middle(rounds, rate)))}** | ${ratio} | ${fmt(percentile(all, 50), 2)} | ${fmt(percentile(all, 99), 2)} |`;
    };
    const table = [
      '| appends | durable events/s (median round) | vs plain, same round (median) | p50 ms | p99 ms |',
      '| --- | ---: | ---: | ---: | ---: |',
      row('plain (baseline)', plain, '1.00×'),
      row('carrying the fencing token (lease rows read FOR KEY SHARE in the append transaction)', fenced, `${fmt(middle(ratios, (v) => v), 2)}×`),
    ].join('\n');
    const body = [
      sectionHeader('node -r ./scripts/ts-run.js bench/fencing-pg.ts'),
      '',
      `${WRITERS} writers, each appending one ~600-byte host event at a time to its own leased stream and waiting for the acknowledgement,`,
      `PostgreSQL 15 throwaway cluster (fsync on) over TCP on 127.0.0.1, default group commit. ${fmt(MEASURE_MS)} ms measured per round,`,
      `${ROUNDS} rounds alternating plain and fenced. 1-minute load average at start: ${fmt(load, 1)} on ${cpus().length} cores (shared machine).`,
      '',
      table,
    ].join('\n');
    console.log(body);
    writeBenchmarkSection('Fencing tokens on PostgreSQL appends (bench/fencing-pg.ts)', body);
  } finally {
    await cluster.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
