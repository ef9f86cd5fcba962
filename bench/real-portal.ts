// Jobs per minute through the whole server (HTTP API, log, master session, clones, Chromium) on
// three portals in one run: the portal simulator with its code adapter (the baseline), the same
// simulator through its declarative twin (portals/portal-sim.yaml), and MediaWiki, a real
// third-party application from Debian's packages, through portals/mediawiki.yaml. Each counts
// what the portal itself recorded, so a duplicate submission shows.
//   node -r ./scripts/ts-run.js bench/real-portal.ts [--jobs N] [--concurrency N]
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Writable } from 'node:stream';
import { parseArgs } from 'node:util';
import { sampleProposal } from '@engine/portals';
import { startPortalSim } from '@engine/portal-sim';
import { loadConfig } from '../apps/server/src/config';
import { startServer } from '../apps/server/src/main';
import { startMediaWiki } from '../libs/portals/test-support/mediawiki';
import { median, sectionHeader, writeBenchmarkSection } from './report';

const SECTION = 'Real portals: jobs per minute through the server (bench/real-portal.ts)';
const ROOT = resolve(__dirname, '..');
const CREDENTIALS_REF = 'secret://bench/login';
const TOKEN = `bench-${Date.now().toString(36)}-token-xxxxxxxx`;

interface Backend {
  portal: Record<string, unknown>;
  portalId: string;
  username: string;
  password: string;
  payload(n: number): unknown;
  /** How many times the portal itself recorded each job's business key beyond the first. */
  duplicates(keys: string[]): number;
  stop(): Promise<void>;
}

interface Result {
  name: string;
  jobs: number;
  submitted: number;
  failed: number;
  duplicates: number;
  seconds: number;
  jobsPerMinute: number;
  medianJobSeconds: number;
}

const quiet = new Writable({ write: (_chunk, _encoding, done) => done() });
const run = Date.now().toString(36).toUpperCase();

async function simulator(kind: 'code' | 'yaml'): Promise<Backend> {
  const password = `pw-${run}-sim`;
  const sim = await startPortalSim({ testHooks: true, seed: 5, users: [{ username: 'agent', password }] });
  const portal =
    kind === 'code'
      ? { adapter: 'portal-sim', options: { baseUrl: sim.url }, credentialsRef: CREDENTIALS_REF, captcha: 'portal-sim' }
      : { adapter: join(ROOT, 'portals/portal-sim.yaml'), options: { baseUrl: sim.url }, credentialsRef: CREDENTIALS_REF, captcha: 'portal-sim' };
  return {
    portal,
    portalId: kind === 'code' ? 'portal-sim' : 'portal-sim-yaml',
    username: 'agent',
    password,
    payload: (n) => sampleProposal(n, `${run}${kind}`),
    duplicates: (keys) => keys.reduce((sum, key) => sum + Math.max(0, (sim.stats().submissions[key] ?? 0) - 1), 0),
    stop: () => sim.close(),
  };
}

async function mediaWiki(): Promise<Backend> {
  const wiki = await startMediaWiki();
  return {
    portal: { adapter: join(ROOT, 'portals/mediawiki.yaml'), options: { baseUrl: wiki.baseUrl }, credentialsRef: CREDENTIALS_REF },
    portalId: 'mediawiki',
    username: wiki.username,
    password: wiki.password,
    payload: (n) => ({ title: `Bench ${run} ${n}`, text: `Page ${n} of bench run ${run}, written through the edit form.`, summary: `bench ${run}` }),
    duplicates: (keys) => keys.reduce((sum, key) => sum + Math.max(0, wiki.countRevisions(key) - 1), 0),
    stop: () => wiki.stop(),
  };
}

async function measure(name: string, tag: string, backend: Backend, jobs: number, concurrency: number): Promise<Result> {
  const dataDir = mkdtempSync(join(tmpdir(), 'bench-real-portal-'));
  const secretsFile = join(dataDir, 'secrets.json');
  writeFileSync(secretsFile, JSON.stringify({ [CREDENTIALS_REF]: { username: backend.username, password: backend.password } }), { mode: 0o600 });
  const env = {
    PORT: '0',
    DATA_DIR: dataDir,
    API_TOKEN: TOKEN,
    SECRETS_FILE: secretsFile,
    PORTALS: JSON.stringify([backend.portal]),
    CONCURRENCY: String(concurrency),
    BACKGROUND_AUDIT: 'false',
  };
  const server = await startServer(loadConfig(env), { logDestination: quiet });
  const call = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const response = await fetch(`${server.url}${path}`, {
      method,
      headers: { Authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json', ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  try {
    await waitFor(`${name}: master session ready`, async () => (await call('GET', `/api/sessions/${backend.portalId}`)).body.state === 'ready');
    const started = Date.now();
    const ids: string[] = [];
    const keys: string[] = [];
    for (let n = 0; n < jobs; n++) {
      const answer = await call('POST', '/api/jobs', { portal: backend.portalId, payload: backend.payload(n) }, { 'Idempotency-Key': `${tag}-${run}-${n}` });
      if (answer.status !== 202) throw new Error(`${name}: job ${n} refused: ${JSON.stringify(answer.body)}`);
      ids.push(String(answer.body.jobId));
    }
    const finals = new Map<string, Record<string, unknown>>();
    await waitFor(`${name}: every job final`, async () => {
      for (const id of ids) {
        if (finals.has(id)) continue;
        const view = (await call('GET', `/api/jobs/${id}`)).body;
        if (view.final) finals.set(id, { ...view, finishedAt: Date.now() });
      }
      return finals.size === ids.length;
    });
    const seconds = (Math.max(...[...finals.values()].map((v) => Number(v.finishedAt))) - started) / 1000;
    for (const view of finals.values()) keys.push(String(view.businessKey));
    const submitted = [...finals.values()].filter((v) => v.state === 'submitted').length;
    const jobSeconds = [...finals.values()].map((v) => (Date.parse(String(v.updatedAt)) - Date.parse(String(v.createdAt))) / 1000);
    return {
      name,
      jobs,
      submitted,
      failed: jobs - submitted,
      duplicates: backend.duplicates(keys),
      seconds,
      jobsPerMinute: submitted / (seconds / 60),
      medianJobSeconds: median(jobSeconds),
    };
  } finally {
    await server.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 900_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { jobs: { type: 'string', default: '24' }, concurrency: { type: 'string', default: '2' } } });
  const jobs = Number(values.jobs);
  const concurrency = Number(values.concurrency);
  const load = loadavg()[0];
  const targets: Array<[string, () => Promise<Backend>]> = [
    ['portal simulator, code adapter (baseline)', () => simulator('code')],
    ['portal simulator, declarative twin (portals/portal-sim.yaml)', () => simulator('yaml')],
    ['MediaWiki 1.39 from Debian, declarative (portals/mediawiki.yaml)', mediaWiki],
  ];
  const results: Result[] = [];
  for (const [index, [name, start]] of targets.entries()) {
    const backend = await start();
    try {
      results.push(await measure(name, `t${index}`, backend, jobs, concurrency));
      console.log(JSON.stringify(results[results.length - 1]));
    } finally {
      await backend.stop();
    }
  }
  const baseline = results[0].jobsPerMinute;
  const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
  const rows = results.map(
    (r) => `| ${r.name} | ${r.jobs} | ${r.submitted} | ${r.failed} | ${r.duplicates} | ${r.seconds.toFixed(1)} | **${r.jobsPerMinute.toFixed(1)}** | ${(r.jobsPerMinute / baseline).toFixed(2)}× | ${r.medianJobSeconds.toFixed(1)} |`,
  );
  writeBenchmarkSection(
    SECTION,
    `${sectionHeader(`node -r ./scripts/ts-run.js bench/real-portal.ts --jobs ${jobs} --concurrency ${concurrency}`)}  \nCommit: ${commit}; load average at start ${load.toFixed(1)}

Each portal in turn: a fresh server (SQLite store, one master session, CONCURRENCY=${concurrency}), ${jobs} jobs posted
through the API, timed from the first POST to the last job final. Submissions and duplicates are
counted from the portal's own records (the simulator's submission log, the wiki's revisions).

| portal | jobs | submitted | failed | duplicates | seconds | jobs/min | vs baseline | median s per job (created → final) |
| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |
${rows.join('\n')}
`,
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
