// Child process of backup.int.spec.ts: stands in for a running server on a SQLite store. The
// real actor host runs real job machines (with instant fake effects) in several lanes, so
// group commits of several streams land continuously, until SIGTERM stops it cleanly.
//   node -r ./scripts/ts-run.js apps/server/src/cli/testing/appending-writer.ts <file>
import { ActorHost, SystemClock, type EffectRegistry } from '@engine/core';
import { SqliteEventStore } from '@engine/event-store';
import { ENGINE_MACHINES } from '@engine/machines';

const LANES = 6;
const at = () => new Date().toISOString();
const effects: EffectRegistry = {
  cloneSession: { run: async () => ({ type: 'CLONED', at: at() }) },
  validateSession: { run: async () => ({ type: 'SESSION_VALID', at: at() }) },
  fillStep: { run: async (p: { step: string }) => ({ type: 'STEP_FILLED', step: p.step, at: at() }) },
  submitForm: { run: async (p: { jobId: string }) => ({ type: 'SUBMITTED', reference: `REF-${p.jobId}`, at: at() }) },
  closeClone: { run: async () => undefined },
};

const store = new SqliteEventStore(process.argv[2]);
const host = new ActorHost({ store, clock: new SystemClock(), definitions: ENGINE_MACHINES, effects });
let stopping = false;

async function lane(n: number): Promise<void> {
  for (let i = 0; !stopping; i++) {
    const id = `w${n}-${i}`;
    await host.create('job', id, { jobId: id, portal: 'sim', payload: { n, i }, businessKey: `BK-${id}`, steps: ['applicant', 'details', 'confirm'] });
    await host.send(`job-${id}`, { type: 'START', at: at() });
    // Let this job's effects run before the next one: the lanes interleave on the log.
    await new Promise((resolve) => setImmediate(resolve));
  }
}

async function main(): Promise<void> {
  await host.start();
  const lanes = Array.from({ length: LANES }, (_, n) => lane(n));
  process.stdout.write('ready\n');
  process.once('SIGTERM', () => {
    stopping = true;
    void Promise.all(lanes)
      .then(() => host.stop())
      .then(() => store.close())
      .then(() => process.exit(0));
  });
  await Promise.all(lanes);
}

main().catch((error: unknown) => {
  process.stderr.write(`writer failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
