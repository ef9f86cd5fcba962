// The demo (README's first command): starts the portal simulator and the engine server on
// SQLite in ./data, submits 20 sample proposals over two accounts of one portal with a few faults injected
// (one account logged out mid-run), shows live progress and a summary (jobs by state, each account's session and its
// keep-alive refreshes), prints the URLs of the API docs and the inspector, and keeps serving
// until Ctrl-C (`--once` exits after the batch).
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { startPortalSim } from '@engine/portal-sim';
import { sampleProposal } from '@engine/portals';

const ONCE = process.argv.includes('--once');
const JOBS = 20;
const root = resolve(__dirname, '..');
const dataDir = resolve(process.env.DATA_DIR ?? join(root, 'data'));

interface JobView {
  jobId: string;
  state: string;
  final: boolean;
  attempts: number;
  reference: string | null;
  failureType: string | null;
}

const IDLE_TTL_MS = 60_000;
const KEEP_ALIVE_MS = 15_000;

async function main(): Promise<void> {
  mkdirSync(dataDir, { recursive: true });
  // The portal ends a session idle for a minute; the engine's keep-alive refreshes it every 15 s.
  const sim = await startPortalSim({
    testHooks: true,
    seed: 2026,
    idleTtlMs: IDLE_TTL_MS,
    // Two logins of one team: the portal's two accounts.
    users: [
      { username: 'agent', password: 'Secr3t!pass' },
      { username: 'agent-2', password: 'Secr3t!pass-2' },
    ],
  });
  const token = process.env.API_TOKEN ?? randomBytes(24).toString('base64url');
  // The demo's own made-up account on its own simulator; written 0600 like any secrets file.
  const secretsFile = join(dataDir, 'secrets.json');
  writeFileSync(
    secretsFile,
    JSON.stringify({ 'secret://portal-sim/login': { username: 'agent', password: 'Secr3t!pass' }, 'secret://portal-sim/desk-2': { username: 'agent-2', password: 'Secr3t!pass-2' } }),
    { mode: 0o600 },
  );
  const port = Number(process.env.PORT ?? 3000);
  const server = spawn(process.execPath, [join(root, 'dist/apps/server/src/main.js')], {
    env: {
      ...process.env,
      PORT: String(port),
      DATA_DIR: dataDir,
      API_TOKEN: token,
      SECRETS_FILE: secretsFile,
      JOB_RETRY_DELAY_MS: '2000',
      PORTALS: JSON.stringify([
        {
          adapter: 'portal-sim',
          options: { baseUrl: sim.url },
          accounts: [
            { id: 'main', credentialsRef: 'secret://portal-sim/login' },
            { id: 'desk-2', credentialsRef: 'secret://portal-sim/desk-2' },
          ],
          captcha: 'portal-sim',
          settings: { masterSession: { heartbeatMs: KEEP_ALIVE_MS } },
        },
      ]),
      LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const stop = async (code: number) => {
    server.kill('SIGTERM');
    await new Promise((r) => server.once('exit', r));
    await sim.close();
    process.exit(code);
  };
  process.on('SIGINT', () => void stop(0));
  const url = await serverUrl(server);
  const api = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const response = await fetch(`${url}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    if (response.status >= 400) throw new Error(`${method} ${path}: HTTP ${response.status} ${text}`);
    return text ? JSON.parse(text) : null;
  };

  console.log(`portal simulator: ${sim.url}   engine: ${url}`);
  console.log(`submitting ${JOBS} proposals over two accounts; faults: 5% server errors on the form, one account's session killed mid-run, one duplicate trap`);
  sim.faults.set({ errorRate: { '/Proposal/Customer.aspx': 0.05 } });
  const run = Date.now().toString(36).toUpperCase();
  const ids: string[] = [];
  for (let n = 0; n < JOBS; n++) {
    const { jobId } = await api('POST', '/api/jobs', { portal: 'portal-sim', payload: sampleProposal(n, run), externalId: `demo-${run}-${n}` }, { 'idempotency-key': `demo-${run}-${n}` });
    ids.push(jobId);
  }

  let lastDone = -1;
  let killed = false;
  let trapped = false;
  const started = Date.now();
  for (;;) {
    const views: JobView[] = await Promise.all(ids.map((id) => api('GET', `/api/jobs/${id}`)));
    const done = views.filter((v) => v.final).length;
    if (!killed && done >= 5) {
      killed = sim.killSessions('agent-2') >= 0; // the portal logs the second account out: its master session must heal, the first carries on
    }
    if (!trapped && done >= 10) {
      sim.faults.set({ duplicateTrap: 'error' }); // the next submission is recorded, then an error page
      trapped = true;
    } else if (trapped && sim.faults.current().duplicateTrap && Object.values(sim.stats().submissions).length > done) {
      sim.faults.set({ duplicateTrap: null });
    }
    const line = `${bar(done, JOBS)} ${done}/${JOBS} finished  ${((Date.now() - started) / 1000).toFixed(0)} s `;
    // A terminal gets a live bar; a log file gets one line per change.
    if (process.stdout.isTTY) process.stdout.write(`\r${line}`);
    else if (done !== lastDone) console.log(line);
    lastDone = done;
    if (done === JOBS) {
      process.stdout.write('\n');
      printSummary(views, sim.stats());
      break;
    }
    if (Date.now() - started > 600_000) throw new Error('the demo batch did not finish within 10 minutes');
    await new Promise((r) => setTimeout(r, 500));
  }
  // One master session per account; keep-alive: each session's heartbeat checks, each a request that keeps the portal's session from idling out.
  const { sessions } = (await api('GET', '/api/sessions')) as { sessions: { session: string; account: string | null; state: string; recoveries: number }[] };
  console.log('');
  for (const session of sessions) {
    const { events } = await api('GET', `/api/streams/master-${session.session}/events?limit=5000`);
    const refreshes = (events as { type: string }[]).filter((e) => e.type === 'PROBE_OK').length;
    console.log(`account ${session.account ?? '-'} (master-${session.session}): ${session.state}, recoveries: ${session.recoveries}, keep-alive refreshes: ${refreshes}`);
  }
  console.log(`keep-alive: one refresh per account every ${KEEP_ALIVE_MS / 1000} s; the portal ends sessions idle for ${IDLE_TTL_MS / 1000} s`);
  console.log(`API docs:  ${url}/docs`);
  console.log(`inspector: ${url}/inspector   (bearer token: ${token})`);
  if (ONCE) return stop(0);
  console.log('serving until Ctrl-C');
}

function bar(done: number, total: number): string {
  const width = 30;
  const filled = Math.round((done / total) * width);
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`;
}

function printSummary(views: JobView[], stats: { duplicates: number; submissions: Record<string, number> }): void {
  const byState = new Map<string, number>();
  for (const v of views) byState.set(v.state, (byState.get(v.state) ?? 0) + 1);
  console.log('state                     jobs');
  for (const [state, count] of [...byState].sort()) console.log(`${state.padEnd(24)} ${String(count).padStart(5)}`);
  const retried = views.filter((v) => v.attempts > 1).length;
  console.log(`\njobs retried with a fresh clone: ${retried}`);
  console.log(`portal submissions: ${Object.values(stats.submissions).reduce((a, b) => a + b, 0)}, duplicates: ${stats.duplicates}`);
}

function serverUrl(server: ChildProcess): Promise<string> {
  return new Promise((resolveUrl, reject) => {
    let out = '';
    server.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /listening on (http:\/\/\S+)/.exec(out);
      if (match) resolveUrl(match[1]);
    });
    server.once('exit', (code) => reject(new Error(`the server exited with code ${code}`)));
  });
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
