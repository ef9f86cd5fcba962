// One worker process of the fencing test (fencing.e2e.spec.ts): the engine on the shared
// PostgreSQL store, holding its share of the streams by lease, with the job's portal effects
// replaced by fakes that leave observable traces in files under DIR, and gates (files the test
// creates) that hold them at chosen points:
//   effects.log        one line per effect step: `<worker> submit-started|click|submit-refused|reconcile-waiting <job> …`
//   appends-<worker>.log  one line per append this process made: `appended <stream> <version>` or `refused <stream> <code>`
//   gate-<worker>-<job>   the submission of <job> waits for it before confirming its lease and clicking
//   hold-appends-<worker> while it exists, appends recording a SUBMITTED wait (a stall between deciding and writing)
//   gate-<worker>-reconcile  the reconciliation of an interrupted submission waits for it
// The fake submission does what JobEffects.submit does: it confirms the lease right before the
// click and does not click when that fails. Prints `ready <id>`; stops on SIGTERM.
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MemorySecretProvider, SystemClock, type AppendOptions, type EffectContext, type EffectRegistry, type EngineEvent, type EventStore, type Logger, type NewEvent } from '@engine/core';
import { createEngine } from '@engine/engine';
import { PostgresEventStore } from '@engine/event-store';
import { PortalSimAdapter } from '@engine/portals';
import { FakeEffects } from '@engine/machines/testing';

const CREDENTIALS = 'secret://portal-sim/login';

function env(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
}

const worker = env('WORKER_ID');
const dir = env('DIR');
const trace = (line: string) => appendFileSync(join(dir, 'effects.log'), `${worker} ${line}\n`);
const at = () => new Date().toISOString();
const codeOf = (error: unknown) => (error as { code?: string })?.code ?? 'UNKNOWN';

async function waitFor(file: string, signal: AbortSignal): Promise<void> {
  while (!existsSync(join(dir, file))) {
    if (signal.aborted) throw signal.reason;
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The store, with every append of this process written down, and SUBMITTED appends held while asked. */
function tracedStore(store: EventStore): EventStore {
  const log = (line: string) => appendFileSync(join(dir, `appends-${worker}.log`), `${line}\n`);
  const append = async (stream: string, events: NewEvent[], options: AppendOptions) => {
    if (events.some((e) => e.type === 'SUBMITTED') && existsSync(join(dir, `hold-appends-${worker}`))) {
      trace(`append-held ${stream}`);
      while (existsSync(join(dir, `hold-appends-${worker}`))) await new Promise((r) => setTimeout(r, 50));
    }
    try {
      const result = await store.append(stream, events, options);
      log(`appended ${stream} ${result.version}`);
      return result;
    } catch (error) {
      log(`refused ${stream} ${codeOf(error)}`);
      throw error;
    }
  };
  return new Proxy(store, {
    get(target, property, receiver) {
      if (property === 'append') return append;
      const value = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

function jobEffects(): EffectRegistry {
  const instant = (event: (p: Record<string, unknown>) => EngineEvent) => ({ run: async (p: Record<string, unknown>) => event(p) });
  return {
    cloneSession: instant(() => ({ type: 'CLONED', at: at() })),
    validateSession: instant(() => ({ type: 'SESSION_VALID', at: at() })),
    fillStep: instant((p) => ({ type: 'STEP_FILLED', step: p.step, at: at() })),
    closeClone: { run: async () => undefined },
    submitForm: {
      run: async (p: { jobId: string }, ctx: EffectContext) => {
        trace(`submit-started ${p.jobId}`);
        await waitFor(`gate-${worker}-${p.jobId}`, ctx.signal);
        try {
          await ctx.confirmHeld();
        } catch (error) {
          trace(`submit-refused ${p.jobId} ${codeOf(error)}`);
          return { type: 'SUBMIT_INTERRUPTED', at: at() };
        }
        trace(`click ${p.jobId} REF-${p.jobId}-${worker}`);
        return { type: 'SUBMITTED', reference: `REF-${p.jobId}-${worker}`, at: at() };
      },
      onInterrupted: async (p: { jobId: string }, ctx: EffectContext) => {
        trace(`reconcile-waiting ${p.jobId}`);
        await waitFor(`gate-${worker}-reconcile`, ctx.signal);
        return { type: 'SUBMIT_INTERRUPTED', at: at() };
      },
    },
    // The portal's search: whatever any worker clicked.
    findSubmission: {
      run: async (_p: unknown, ctx: EffectContext) => {
        const jobId = ctx.stream.replace(/^job-/, '');
        const click = readFileSync(join(dir, 'effects.log'), 'utf8')
          .split('\n')
          .map((line) => line.split(' '))
          .find(([, step, job]) => step === 'click' && job === jobId);
        return click ? { type: 'SUBMISSION_FOUND', reference: click[3], at: at() } : { type: 'SUBMISSION_NOT_FOUND', at: at() };
      },
    },
  };
}

const logger: Logger = {
  info: () => undefined,
  warn: (message, fields) => process.stderr.write(`[${worker}] warn ${message} ${JSON.stringify(fields ?? {})}\n`),
  error: (message, fields) => process.stderr.write(`[${worker}] error ${message} ${JSON.stringify(fields ?? {})}\n`),
};

async function main(): Promise<void> {
  const databaseUrl = env('DATABASE_URL');
  const store = tracedStore(await PostgresEventStore.open(databaseUrl, { poolSize: 4 }));
  const engine = createEngine({
    store,
    dataDir: join(dir, worker),
    portals: [new PortalSimAdapter({ baseUrl: 'http://127.0.0.1:9', id: 'sim' })],
    secrets: new MemorySecretProvider().set(CREDENTIALS, { username: 'agent', password: 'unused' }),
    credentials: { sim: CREDENTIALS },
    logger,
    concurrency: 2,
    timeouts: { shutdownMs: 2_000 },
    effects: { ...new FakeEffects(new SystemClock()).registry(), ...jobEffects() },
    scaleOut: { databaseUrl, workerId: worker, leaseTtlMs: Number(env('LEASE_TTL_MS')), heartbeatMs: Number(env('LEASE_HEARTBEAT_MS')) },
  });
  await engine.start();
  process.stdout.write(`ready ${worker}\n`);
  process.once('SIGTERM', () => {
    engine.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  });
}

main().catch((error) => {
  process.stderr.write(`worker failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
