// The engine against the script it replaces, side by side in one run, on the same portal: the
// portal simulator with realistic page latency (150–250 ms per request). The naive script is
// what a team writes first: per job, launch Chromium, log in (captcha), fill, submit, close;
// a failed job is run again from scratch, up to three times. The engine runs through the whole
// server (HTTP API, SQLite log, one master session, clones) with its default settings. Both at
// the same concurrency, both without and with sessions expired every 10 submitted jobs (the
// portal ends every session, as a real portal's idle or single-login policy does). Duplicates
// are counted from the portal's own submission log.
//   node -r ./scripts/ts-run.js bench/vs-naive.ts [--jobs N] [--concurrency N]
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Writable } from 'node:stream';
import { parseArgs } from 'node:util';
import puppeteer from 'puppeteer-core';
import { CHROMIUM_FLAGS, findChromium } from '@engine/browser';
import { PortalSimAdapter, PortalSimCaptchaSolver, sampleProposal } from '@engine/portals';
import { startPortalSim, type PortalSim } from '@engine/portal-sim';
import { loadConfig } from '../apps/server/src/config';
import { startServer } from '../apps/server/src/main';
import { median, sectionHeader, writeBenchmarkSection } from './report';

const SECTION = 'The engine against a naive script, on one portal in one run (bench/vs-naive.ts)';
const ROOT = resolve(__dirname, '..');
const CREDENTIALS_REF = 'secret://bench/login';
const TOKEN = `bench-${Date.now().toString(36)}-token-xxxxxxxx`;
const PASSWORD = `pw-${Date.now().toString(36)}-naive`;
const EXPIRE_EVERY = 10;
const NAIVE_TRIES = 3;
const quiet = new Writable({ write: (_chunk, _encoding, done) => done() });

interface Result {
  tool: string;
  expiry: boolean;
  jobs: number;
  submitted: number;
  duplicates: number;
  seconds: number;
  jobsPerMinute: number;
  medianJobSeconds: number;
  expiries: number;
  /** How the jobs that were not submitted ended (the engine's final states; the naive script's: out of tries). */
  notSubmitted: Record<string, number>;
}

async function portal(seed: number): Promise<PortalSim> {
  const sim = await startPortalSim({ testHooks: true, seed, users: [{ username: 'agent', password: PASSWORD }] });
  sim.faults.set({ latency: { '/': { ms: 150, jitterMs: 100 } } });
  return sim;
}

/** Ends every portal session each time another EXPIRE_EVERY submissions are on the portal's log. */
function expireEvery(sim: PortalSim, enabled: boolean): { stop(): number } {
  let expiries = 0;
  let next = EXPIRE_EVERY;
  const timer = setInterval(() => {
    if (!enabled) return;
    const total = Object.values(sim.stats().submissions).reduce((sum, n) => sum + n, 0);
    if (total >= next) {
      next += EXPIRE_EVERY;
      expiries += 1;
      sim.killSessions();
    }
  }, 50);
  return {
    stop: () => {
      clearInterval(timer);
      return expiries;
    },
  };
}

function duplicates(sim: PortalSim, keys: string[]): number {
  return keys.reduce((sum, key) => sum + Math.max(0, (sim.stats().submissions[key] ?? 0) - 1), 0);
}

async function naive(jobs: number, concurrency: number, expiry: boolean, seed: number): Promise<Result> {
  const sim = await portal(seed);
  const adapter = new PortalSimAdapter({ baseUrl: sim.url });
  const solver = new PortalSimCaptchaSolver(sim.url);
  const executablePath = findChromium();
  const payloads = Array.from({ length: jobs }, (_, n) => sampleProposal(n, `naive${seed}`));
  const durations: number[] = [];
  let submitted = 0;
  let nextJob = 0;
  const expirer = expireEvery(sim, expiry);
  const started = Date.now();
  const runOne = async (payload: (typeof payloads)[number]): Promise<boolean> => {
    const browser = await puppeteer.launch({ executablePath, args: [...CHROMIUM_FLAGS], headless: true });
    try {
      const page = await browser.newPage();
      const op = { timeoutMs: 60_000 };
      await adapter.login(page, { username: 'agent', password: PASSWORD }, solver, op);
      for (const step of adapter.fillSteps) await adapter.fillStep(page, payload, step, op);
      await adapter.submit(page, payload, op);
      return true;
    } catch {
      return false;
    } finally {
      await browser.close().catch(() => undefined);
    }
  };
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let n = nextJob++; n < jobs; n = nextJob++) {
        const jobStarted = Date.now();
        for (let tries = 0; tries < NAIVE_TRIES; tries++) {
          if (await runOne(payloads[n])) {
            submitted += 1;
            break;
          }
        }
        durations.push((Date.now() - jobStarted) / 1000);
      }
    }),
  );
  const seconds = (Date.now() - started) / 1000;
  const expiries = expirer.stop();
  const result = {
    tool: `naive script (a browser and a login per job, ${NAIVE_TRIES} tries)`,
    expiry,
    jobs,
    submitted,
    duplicates: duplicates(sim, payloads.map((p) => adapter.businessKey(p))),
    seconds,
    jobsPerMinute: submitted / (seconds / 60),
    medianJobSeconds: median(durations),
    expiries,
    notSubmitted: (jobs === submitted ? {} : { [`gave up after ${NAIVE_TRIES} tries`]: jobs - submitted }) as Record<string, number>,
  };
  await sim.close();
  return result;
}

async function engine(jobs: number, concurrency: number, expiry: boolean, seed: number): Promise<Result> {
  const sim = await portal(seed);
  const adapter = new PortalSimAdapter({ baseUrl: sim.url });
  const dataDir = mkdtempSync(join(tmpdir(), 'bench-vs-naive-'));
  const secretsFile = join(dataDir, 'secrets.json');
  writeFileSync(secretsFile, JSON.stringify({ [CREDENTIALS_REF]: { username: 'agent', password: PASSWORD } }), { mode: 0o600 });
  const server = await startServer(
    loadConfig({
      PORT: '0',
      DATA_DIR: dataDir,
      API_TOKEN: TOKEN,
      SECRETS_FILE: secretsFile,
      PORTALS: JSON.stringify([{ adapter: 'portal-sim', options: { baseUrl: sim.url }, credentialsRef: CREDENTIALS_REF, captcha: 'portal-sim' }]),
      CONCURRENCY: String(concurrency),
      BACKGROUND_AUDIT: 'false',
    }),
    { logDestination: quiet },
  );
  const call = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const response = await fetch(`${server.url}${path}`, {
      method,
      headers: { Authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json', ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return (await response.json()) as Record<string, unknown>;
  };
  try {
    await waitFor('master session ready', async () => (await call('GET', '/api/sessions/portal-sim')).state === 'ready');
    const payloads = Array.from({ length: jobs }, (_, n) => sampleProposal(n, `engine${seed}`));
    const expirer = expireEvery(sim, expiry);
    const started = Date.now();
    const ids: string[] = [];
    for (const [n, payload] of payloads.entries()) ids.push(String((await call('POST', '/api/jobs', { portal: 'portal-sim', payload }, { 'Idempotency-Key': `vs-${seed}-${n}` })).jobId));
    // One cheap call per look (the stats), so the measuring does not load the server it measures.
    await waitFor('every job final', async () => Number((await call('GET', '/api/jobs/stats')).finished) >= jobs, 100);
    const seconds = (Date.now() - started) / 1000;
    const finals = new Map<string, Record<string, unknown>>();
    for (const id of ids) finals.set(id, await call('GET', `/api/jobs/${id}`));
    const expiries = expirer.stop();
    const submitted = [...finals.values()].filter((v) => v.state === 'submitted').length;
    const notSubmitted: Record<string, number> = {};
    for (const view of finals.values()) if (view.state !== 'submitted') notSubmitted[String(view.state)] = (notSubmitted[String(view.state)] ?? 0) + 1;
    return {
      tool: 'engine (server, one master session, clones; defaults)',
      expiry,
      jobs,
      submitted,
      duplicates: duplicates(sim, payloads.map((p) => adapter.businessKey(p))),
      seconds,
      jobsPerMinute: submitted / (seconds / 60),
      // Created → final: for the engine this includes the time a job waited in the queue for a slot.
      medianJobSeconds: median([...finals.values()].map((v) => (Date.parse(String(v.updatedAt)) - Date.parse(String(v.createdAt))) / 1000)),
      expiries,
      notSubmitted,
    };
  } finally {
    await server.close();
    await sim.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function waitFor(what: string, check: () => Promise<boolean>, everyMs = 200, timeoutMs = 1_800_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { jobs: { type: 'string', default: '30' }, concurrency: { type: 'string', default: '3' } } });
  const jobs = Number(values.jobs);
  const concurrency = Number(values.concurrency);
  const load = loadavg()[0];
  const results: Result[] = [];
  for (const expiry of [false, true]) {
    for (const [i, run] of [naive, engine].entries()) {
      results.push(await run(jobs, concurrency, expiry, 100 + i + (expiry ? 10 : 0)));
      console.log(JSON.stringify(results[results.length - 1]));
    }
  }
  const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
  const rows = results.map((r) => {
    const baseline = results.find((b) => b.expiry === r.expiry && b.tool.startsWith('naive')) as Result;
    const ended = Object.entries(r.notSubmitted).map(([state, n]) => `${n} ${state}`).join(', ') || '—';
    return `| ${r.expiry ? `every ${EXPIRE_EVERY} jobs (${r.expiries}×)` : 'none'} | ${r.tool} | ${r.submitted}/${r.jobs} | ${ended} | ${r.duplicates} | ${r.seconds.toFixed(1)} | **${r.jobsPerMinute.toFixed(1)}** | ${(r.jobsPerMinute / baseline.jobsPerMinute).toFixed(2)}× | ${r.medianJobSeconds.toFixed(1)} |`;
  });
  // Issue 20's yardstick: what session expiry costs the engine, against its own rate without expiry in this run.
  const engineRate = (expiry: boolean) => results.find((r) => r.expiry === expiry && !r.tool.startsWith('naive'))?.jobsPerMinute;
  const withExpiry = engineRate(true);
  const withoutExpiry = engineRate(false);
  const expiryCost =
    withExpiry !== undefined && withoutExpiry !== undefined
      ? `\nWith sessions expired every ${EXPIRE_EVERY} jobs the engine kept **${((100 * withExpiry) / withoutExpiry).toFixed(0)} %** of its jobs/min without expiry (${withExpiry.toFixed(1)} of ${withoutExpiry.toFixed(1)}).\n`
      : '';
  writeBenchmarkSection(
    SECTION,
    `${sectionHeader(`node -r ./scripts/ts-run.js bench/vs-naive.ts --jobs ${jobs} --concurrency ${concurrency}`)}  \nCommit: ${commit}; load average at start ${load.toFixed(1)}

The portal simulator with 150–250 ms of latency on every request; ${jobs} jobs at concurrency ${concurrency} for each tool,
timed from the first job handed over to the last one finished; the ratio is against the naive script in the
same row group (same run, same portal settings). Expiry: the portal ends every session each time another
${EXPIRE_EVERY} submissions are on its log. Duplicates: submissions of one business key beyond the first, from the
portal's own log. Median s per job: the naive script from its start to its end; the engine from creation to its final
state, so it includes the time a job waited in the queue (all jobs are handed over at once).

| session expiry | tool | submitted | not submitted | duplicates | seconds | jobs/min | vs naive | median s per job |
| --- | --- | ---: | --- | ---: | ---: | ---: | ---: | ---: |
${rows.join('\n')}
${expiryCost}`,
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
