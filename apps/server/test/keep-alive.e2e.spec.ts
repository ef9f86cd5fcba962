// Keep-alive against the portal's idle timeout, per portal: two simulators that end a session
// after 12 s without a request, one portal configured to check its master session every 2 s
// (`settings.masterSession.heartbeatMs`), the other every 10 minutes. After two idle timeouts
// without a job the kept portal's session is still the one it logged in with (no second login,
// a job goes straight through); the other portal's session has expired on the portal and its job
// is only submitted after the master session logs in again.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sampleProposal } from '@engine/portals';
import { startPortalSim, type PortalSim } from '@engine/portal-sim';
import { apiClient, CREDENTIALS_REF, uniqueSecrets, until } from './support/e2e-env';
import { killOrphans, spawnServer, type ServerProcess } from './support/server-process';

jest.setTimeout(600_000);

const IDLE_TTL_MS = 12_000;
const HEARTBEAT_MS = 2_000;
const secrets = uniqueSecrets();
let root: string;
let kept: PortalSim;
let idle: PortalSim;
let server: ServerProcess | undefined;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'server-keep-alive-'));
  const users = [{ username: 'agent', password: secrets.password }];
  kept = await startPortalSim({ testHooks: true, seed: 7, users, idleTtlMs: IDLE_TTL_MS });
  idle = await startPortalSim({ testHooks: true, seed: 8, users, idleTtlMs: IDLE_TTL_MS });
});

afterAll(async () => {
  if (server) {
    server.child.kill('SIGTERM');
    await server.exited;
  }
  await killOrphans(root);
  await kept?.close();
  await idle?.close();
  rmSync(root, { recursive: true, force: true });
});

interface RecordedEvent {
  type: string;
  data: { at?: string };
}

it("keeps a portal's master session alive past the portal's idle timeout with its own refresh interval, and only that one", async () => {
  const dataDir = join(root, 'data');
  mkdirSync(dataDir, { recursive: true });
  const secretsFile = join(dataDir, 'secrets.json');
  writeFileSync(secretsFile, JSON.stringify({ [CREDENTIALS_REF]: { username: 'agent', password: secrets.password } }), { mode: 0o600 });
  const portal = (sim: PortalSim, id: string, heartbeatMs: number) => ({
    adapter: 'portal-sim',
    options: { baseUrl: sim.url, id },
    credentialsRef: CREDENTIALS_REF,
    captcha: 'portal-sim',
    settings: { masterSession: { heartbeatMs } },
  });
  server = await spawnServer({
    PORT: '0',
    DATA_DIR: dataDir,
    API_TOKEN: secrets.token,
    SECRETS_FILE: secretsFile,
    BACKGROUND_AUDIT: 'false',
    JOB_RETRY_DELAY_MS: '500',
    PORTALS: JSON.stringify([portal(kept, 'kept', HEARTBEAT_MS), portal(idle, 'idle', 600_000)]),
  });
  const api = apiClient(() => server!.url, secrets.token);
  const events = async (stream: string): Promise<RecordedEvent[]> => (await api('GET', `/api/streams/${stream}/events?limit=1000`)).events;

  for (const id of ['kept', 'idle']) await until(`${id} master session ready`, async () => (await api('GET', `/api/sessions/${id}`)).state === 'ready', 180_000);
  expect(kept.stats().logins).toBe(1);
  expect(idle.stats().logins).toBe(1);

  // No job for two idle timeouts, measured on the kept portal's own refreshes.
  const refreshes = await until(
    'two idle timeouts of refreshes',
    async () => {
      const log = await events('master-kept');
      const loggedIn = Date.parse(log.find((e) => e.type === 'LOGGED_IN')?.data.at ?? '');
      const probes = log.filter((e) => e.type === 'PROBE_OK').map((e) => Date.parse(e.data.at ?? ''));
      return probes.length > 0 && probes[probes.length - 1] - loggedIn > 2 * IDLE_TTL_MS ? [loggedIn, ...probes] : null;
    },
    300_000,
  );
  // Each refresh came before the idle timeout of the previous request.
  const gaps = refreshes.slice(1).map((at, i) => at - refreshes[i]);
  expect(Math.max(...gaps)).toBeLessThan(IDLE_TTL_MS);
  // The idle portal's only request since its login was long ago: the portal has ended that session.
  expect(idle.stats().activeSessions).toBe(0);
  expect(kept.stats().activeSessions).toBe(1);

  const run = `KA${Date.now().toString(36).toUpperCase()}`;
  const jobs: Record<string, string> = {};
  for (const [n, id] of ['kept', 'idle'].entries()) {
    jobs[id] = (await api('POST', '/api/jobs', { portal: id, payload: sampleProposal(n, run) }, { 'idempotency-key': `${run}-${id}` })).jobId;
  }
  for (const id of ['kept', 'idle']) {
    const view = await until(`the ${id} job final`, async () => {
      const job = await api('GET', `/api/jobs/${jobs[id]}`);
      return job.final ? job : null;
    }, 300_000);
    expect(view.state).toBe('submitted');
  }
  // The kept portal never needed a second login; the idle one logged in again to submit.
  expect(kept.stats().logins).toBe(1);
  expect(idle.stats().logins).toBeGreaterThanOrEqual(2);
  expect(kept.stats().duplicates + idle.stats().duplicates).toBe(0);
});
