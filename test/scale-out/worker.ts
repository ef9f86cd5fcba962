// One worker process of the scale-out test: the engine on the shared PostgreSQL store, with
// the portal simulator (real Chromium), holding its share of the streams by lease. Configured
// by the environment the test passes; prints `ready <id>` once it runs, stops on SIGTERM.
import { mkdirSync } from 'node:fs';
import { MemorySecretProvider, type Logger } from '@engine/core';
import { createEngine } from '@engine/engine';
import { PostgresEventStore } from '@engine/event-store';
import { PortalSimAdapter, PortalSimCaptchaSolver } from '@engine/portals';

const CREDENTIALS = 'secret://portal-sim/login';

function env(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
}

/** Warnings and errors on stderr (the test shows them when it fails); info is too chatty for 300 jobs. */
const logger: Logger = {
  info: () => undefined,
  warn: (message, fields) => process.stderr.write(`[${process.env.WORKER_ID}] warn ${message} ${JSON.stringify(fields ?? {})}\n`),
  error: (message, fields) => process.stderr.write(`[${process.env.WORKER_ID}] error ${message} ${JSON.stringify(fields ?? {})}\n`),
};

async function main(): Promise<void> {
  const databaseUrl = env('DATABASE_URL');
  const simUrl = env('SIM_URL');
  const dataDir = env('DATA_DIR');
  mkdirSync(dataDir, { recursive: true });
  const portals = env('PORTAL_IDS').split(',');
  const store = await PostgresEventStore.open(databaseUrl, { poolSize: 4 });
  const wait = { minWaitMs: 100, maxWaitMs: 200 };
  const engine = createEngine({
    store,
    dataDir,
    portals: portals.map((id) => new PortalSimAdapter({ baseUrl: simUrl, id })),
    secrets: new MemorySecretProvider().set(CREDENTIALS, { username: 'agent', password: 'Secr3t!pass' }),
    credentials: Object.fromEntries(portals.map((id) => [id, CREDENTIALS])),
    captcha: () => new PortalSimCaptchaSolver(simUrl),
    logger,
    concurrency: Number(env('CONCURRENCY')),
    masterSession: { soft: wait, hard: wait, nuclear: wait },
    timeouts: { shutdownMs: 5_000 },
    scaleOut: { databaseUrl, workerId: env('WORKER_ID'), leaseTtlMs: Number(env('LEASE_TTL_MS')), heartbeatMs: Number(env('LEASE_HEARTBEAT_MS')) },
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

main().catch((error) => {
  process.stderr.write(`worker failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
