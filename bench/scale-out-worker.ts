// One worker process of bench/scale-out.ts: the engine on the shared PostgreSQL store with
// fake portals whose effects answer at once (no browser), so the figure is the engine's own
// throughput: decisions, appends, leases. Prints `ready <id>`; stops on SIGTERM.
import { SystemClock, type EffectRegistry, type EngineEvent } from '@engine/core';
import { createEngine } from '@engine/engine';
import { PostgresEventStore } from '@engine/event-store';
import type { PortalAdapter } from '@engine/portals';

/** What the registry and intake read of an adapter; the browser methods are never called (effects are faked). */
export function fakePortal(id: string): PortalAdapter<any> {
  return {
    id,
    origin: `http://${id}.invalid`,
    payloadSchema: { safeParse: (value: unknown) => ({ success: true, data: value }) },
    selectors: {},
    fillSteps: ['applicant', 'vehicle'],
    businessKey: (payload: { key: string }) => payload.key,
  } as unknown as PortalAdapter<any>;
}

/** `latencyMs` 0: every effect answers at once; above, each waits that long first (a portal's round trip). */
function fakeEffects(clock: SystemClock, latencyMs: number): EffectRegistry {
  const at = () => new Date(clock.now()).toISOString();
  const pause = () => (latencyMs > 0 ? new Promise((r) => setTimeout(r, latencyMs)) : Promise.resolve());
  const answer = (event: (params: any) => EngineEvent) => ({ run: async (params: any) => (await pause(), event(params)) });
  return {
    launchBrowser: answer(() => ({ type: 'BROWSER_LAUNCHED' })),
    closeBrowser: answer(() => ({ type: 'BROWSER_CLOSED' })),
    login: answer(() => ({ type: 'LOGGED_IN', at: at() })),
    relogin: answer(() => ({ type: 'LOGGED_IN', at: at() })),
    probeSession: answer((p: { probe: number }) => ({ type: 'PROBE_OK', probe: p.probe, at: at() })),
    cloneSession: answer(() => ({ type: 'CLONED', at: at() })),
    validateSession: answer(() => ({ type: 'SESSION_VALID', at: at() })),
    fillStep: answer((p: { step: string }) => ({ type: 'STEP_FILLED', step: p.step, at: at() })),
    submitForm: answer((p: { businessKey: string }) => ({ type: 'SUBMITTED', reference: `REF-${p.businessKey}`, at: at() })),
    findSubmission: answer(() => ({ type: 'SUBMISSION_NOT_FOUND', at: at() })),
    reportSessionFailure: answer(() => ({ type: 'SESSION_FAILURE_REPORTED', at: at() })),
    closeClone: { run: async () => undefined },
  };
}

async function main(): Promise<void> {
  const databaseUrl = process.env.DATABASE_URL as string;
  const portals = (process.env.PORTAL_IDS as string).split(',');
  const clock = new SystemClock();
  const store = await PostgresEventStore.open(databaseUrl, { poolSize: 6 });
  const engine = createEngine({
    store,
    clock,
    dataDir: process.env.DATA_DIR,
    portals: portals.map(fakePortal),
    credentials: Object.fromEntries(portals.map((id) => [id, 'secret://fake'])),
    concurrency: Number(process.env.CONCURRENCY),
    effects: fakeEffects(clock, Number(process.env.EFFECT_LATENCY_MS ?? 0)),
    logger: {
      info: () => undefined,
      warn: (message, fields) => process.stderr.write(`[${process.env.WORKER_ID}] ${message} ${JSON.stringify(fields ?? {})}\n`),
      error: (message, fields) => process.stderr.write(`[${process.env.WORKER_ID}] ${message} ${JSON.stringify(fields ?? {})}\n`),
    },
    // A TTL that rides out event-loop stalls of a loaded machine (a lapse gives every stream back).
    scaleOut: { databaseUrl, workerId: process.env.WORKER_ID, leaseTtlMs: 10_000, heartbeatMs: 1_000 },
  });
  await engine.start();
  process.stdout.write(`ready ${process.env.WORKER_ID}\n`);
  process.once('SIGTERM', () => {
    engine.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  });
}

if (require.main === module) {
  main().catch((error) => {
    process.stderr.write(`worker failed: ${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  });
}
