// The server as an operator starts it, configured by a file (ENGINE_CONFIG): an invalid file stops
// the start with every refusal listed (the key, the value, the rule); a valid one runs a portal whose
// own settings send its master session to a remote browser (a Chromium this test starts as its own
// process, as a browser farm would be) with its own user agent, and a job is submitted through it.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import puppeteer from 'puppeteer-core';
import { stringify as toYaml } from 'yaml';
import { CHROMIUM_FLAGS, findChromium } from '@engine/browser';
import { sampleProposal } from '@engine/portals';
import { startPortalSim, type PortalSim } from '@engine/portal-sim';
import { apiClient, CREDENTIALS_REF, uniqueSecrets, until } from './support/e2e-env';
import { killOrphans, processesMentioning, spawnServer, type ServerProcess } from './support/server-process';

jest.setTimeout(600_000);

const secrets = uniqueSecrets();
const USER_AGENT = 'EngineConfigTest/1.0 (remote browser)';
let root: string;
let sim: PortalSim;
let server: ServerProcess | undefined;
let remote: ChildProcess | undefined;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'server-config-file-'));
  sim = await startPortalSim({ testHooks: true, seed: 5, users: [{ username: 'agent', password: secrets.password }] });
});

afterAll(async () => {
  if (server) {
    server.child.kill('SIGTERM');
    await server.exited;
  }
  if (remote?.pid) {
    const exited = new Promise((resolve) => remote!.once('exit', resolve));
    process.kill(-remote.pid, 'SIGKILL');
    await exited;
    remote.stderr?.destroy();
  }
  await killOrphans(root);
  await sim?.close();
  rmSync(root, { recursive: true, force: true });
});

/** The environment of a server that reads everything from `file` (nothing else set but the log level). */
const onlyTheFile = (file: string): Record<string, string> => ({ ENGINE_CONFIG: file, PORTALS: '', PORT: '', DATA_DIR: '', API_TOKEN: '', SECRETS_FILE: '', CONCURRENCY: '' });

describe('the server configured by a file', () => {
  it('refuses to start on an invalid file, naming each key, its value and the rule', async () => {
    const file = join(root, 'invalid.yaml');
    writeFileSync(
      file,
      toYaml({
        server: { port: 0, dataDir: join(root, 'invalid-data') },
        jobs: { maxAttempts: 0, cloneStrategy: 'fork' },
        timeouts: { submitMs: 'slow' },
        portals: [{ adapter: 'portal-sim', options: { baseUrl: sim.url }, credentialsRef: CREDENTIALS_REF, settings: { jobs: { concurrency: 2 } } }],
      }),
    );
    const refused = await spawnServer(onlyTheFile(file)).then(
      () => 'started',
      (error: Error) => error.message,
    );
    expect(refused).toContain('the server exited (1) before listening');
    expect(refused).toContain(`ValidationError: invalid server configuration (${file} and the environment)`);
    expect(refused).toContain('jobs.maxAttempts: must be an integer 1..100, not 0');
    expect(refused).toContain('jobs.cloneStrategy: must be context or profile-copy, not "fork"');
    expect(refused).toContain('timeouts.submitMs: must be an integer 1000..600000, not "slow"');
    expect(refused).toContain('portals[0].settings.jobs.concurrency: cannot be set per portal (a server-wide setting)');
  });

  it("runs a portal on its own settings: a remote browser with the portal's user agent, and a job submitted once", async () => {
    remote = spawn(findChromium(), [...CHROMIUM_FLAGS, '--remote-debugging-address=127.0.0.1', '--remote-debugging-port=0', `--user-data-dir=${join(root, 'remote-profile')}`], {
      detached: true,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    const endpoint = await new Promise<string>((resolve, reject) => {
      let seen = '';
      remote!.stderr!.on('data', (chunk: Buffer) => {
        seen += chunk.toString();
        const match = /DevTools listening on (ws:\/\/\S+)/.exec(seen);
        if (match) resolve(match[1]);
      });
      remote!.once('exit', () => reject(new Error(`the remote Chromium exited before listening: ${seen}`)));
    });

    const dataDir = join(root, 'data');
    mkdirSync(dataDir, { recursive: true });
    const secretsFile = join(dataDir, 'secrets.json');
    writeFileSync(secretsFile, JSON.stringify({ [CREDENTIALS_REF]: { username: 'agent', password: secrets.password } }), { mode: 0o600 });
    const file = join(root, 'engine.yaml');
    writeFileSync(
      file,
      toYaml({
        server: { port: 0, dataDir, apiToken: secrets.token },
        store: { backgroundAudit: false },
        secrets: { file: secretsFile },
        jobs: { concurrency: 2, retryDelayMs: 500 },
        portals: [
          {
            adapter: 'portal-sim',
            options: { baseUrl: sim.url },
            credentialsRef: CREDENTIALS_REF,
            captcha: 'portal-sim',
            settings: { browser: { remoteEndpoint: endpoint, userAgent: USER_AGENT }, jobs: { maxAttempts: 5 } },
          },
        ],
      }),
    );
    server = await spawnServer(onlyTheFile(file));
    const api = apiClient(() => server!.url, secrets.token);

    const config = await api('GET', '/config');
    expect(config.file).toBe(file);
    expect(config.sources.jobs).toMatchObject({ retryDelayMs: 'file', maxAttempts: 'default' });
    expect(config.portals[0].settings.jobs.maxAttempts).toBe(5);
    expect(config.portals[0].settings.browser.userAgent).toBe(USER_AGENT);
    expect(JSON.stringify(config)).not.toContain(endpoint);
    expect(JSON.stringify(config)).not.toContain(secrets.token);

    await until('master session ready', async () => (await api('GET', '/api/sessions/portal-sim')).state === 'ready', 180_000);
    const proposal = sampleProposal(0, `CF${Date.now().toString(36).toUpperCase()}`);
    const { jobId } = await api('POST', '/api/jobs', { portal: 'portal-sim', payload: proposal }, { 'idempotency-key': 'config-file-0' });
    const job = await until(
      'the job submitted',
      async () => {
        const view = await api('GET', `/api/jobs/${jobId}`);
        return view.final ? view : undefined;
      },
      300_000,
    );
    expect(job.state).toBe('submitted');
    // The portal's setting is recorded in the job's input: five attempts, not the default three.
    expect(job.maxAttempts).toBe(5);
    expect(sim.stats().submissions[proposal.vehicle.chassisNo.toUpperCase()]).toBe(1);

    // The master session lives in the remote browser, with the portal's user agent; the server
    // launched no Chromium of its own (a launched one carries the data folder in its command line).
    const observer = await puppeteer.connect({ browserWSEndpoint: endpoint });
    try {
      const pages = await observer.pages();
      const master = pages.find((page) => page.url().startsWith(sim.url));
      expect(master).toBeDefined();
      expect(await master!.evaluate(() => navigator.userAgent)).toBe(USER_AGENT);
    } finally {
      await observer.disconnect();
    }
    expect(processesMentioning(dataDir)).toEqual([]);
  });
});
