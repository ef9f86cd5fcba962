// The whole server against a real third-party application (issue 15, item 5): MediaWiki from
// Debian's packages, driven through its own login and edit forms by the declarative portal
// portals/mediawiki.yaml, with Chromium. Jobs go in through the HTTP API; halfway through, every
// session is deleted on the wiki's side. The wiki's own database must hold exactly one revision
// for each job the engine reports submitted, the one it reports as its reference, and none for
// a job it does not.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Writable } from 'node:stream';
import { loadConfig } from '../../../../apps/server/src/config';
import { startServer, type RunningServer } from '../../../../apps/server/src/main';
import { startMediaWiki, type MediaWiki } from '../../test-support/mediawiki';

// Hang bounds for a loaded 2-core machine, not speed checks.
jest.setTimeout(900_000);
const SESSION_READY_MS = 180_000;
const JOBS_FINAL_MS = 600_000;

const JOBS = 12;
const CONCURRENCY = 2;
const EXPIRE_AFTER = 4;
const CREDENTIALS_REF = 'secret://mediawiki/login';
const PORTAL_FILE = resolve(__dirname, '../../../../portals/mediawiki.yaml');
const token = `tok-${randomBytes(18).toString('base64url')}`;
const run = Date.now().toString(36);
const titleOf = (n: number) => `Engine e2e ${run} job ${n}`;
const logLines: string[] = [];

interface JobView {
  jobId: string;
  state: string;
  final: boolean;
  reference: string | null;
}

let wiki: MediaWiki;
let root: string;
let server: RunningServer;

async function call<T>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: T }> {
  const response = await fetch(`${server.url}${path}`, {
    method,
    headers: { Authorization: `Bearer ${token}`, 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(60_000),
  });
  return { status: response.status, body: (await response.json()) as T };
}

/** Polls `probe` until it returns something truthy; fails naming `what` after the bound. */
async function until<T>(what: string, probe: () => Promise<T | undefined | null | false>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

const jobs = async (ids: string[]) => Promise.all(ids.map(async (id) => (await call<JobView>('GET', `/api/jobs/${id}`)).body));

beforeAll(async () => {
  wiki = await startMediaWiki();
  root = mkdtempSync(join(tmpdir(), 'mediawiki-e2e-'));
  const dataDir = join(root, 'data');
  const secretsFile = join(root, 'secrets.json');
  writeFileSync(secretsFile, JSON.stringify({ [CREDENTIALS_REF]: { username: wiki.username, password: wiki.password } }), { mode: 0o600 });
  const logs = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logLines.push(...chunk.toString().split('\n').filter(Boolean));
      done();
    },
  });
  const env = {
    PORT: '0',
    DATA_DIR: dataDir,
    API_TOKEN: token,
    SECRETS_FILE: secretsFile,
    PORTALS: JSON.stringify([{ adapter: PORTAL_FILE, options: { baseUrl: wiki.baseUrl }, credentialsRef: CREDENTIALS_REF }]),
    CONCURRENCY: String(CONCURRENCY),
    JOB_RETRY_DELAY_MS: '500',
    BACKGROUND_AUDIT: 'false',
  };
  server = await startServer(loadConfig(env), { logDestination: logs });
});

afterAll(async () => {
  await server?.close();
  await wiki?.stop();
  if (root) rmSync(root, { recursive: true, force: true });
});

describe('MediaWiki through portals/mediawiki.yaml (whole server, Chromium)', () => {
  it('saves no job twice: a submitted job\'s page holds one revision, its reference, although every session expires mid-run', async () => {
    await until('the master session logged in', async () => (await call<{ state: string }>('GET', '/api/sessions/mediawiki')).body.state === 'ready', SESSION_READY_MS);
    const recoveriesBefore = (await call<{ recoveries: number }>('GET', '/api/sessions/mediawiki')).body.recoveries;

    const ids: string[] = [];
    for (let n = 0; n < JOBS; n++) {
      const payload = { title: titleOf(n), text: `Page ${n} of run ${run}, written through the edit form.`, summary: `engine e2e ${run}` };
      const { status, body } = await call<{ jobId: string }>('POST', '/api/jobs', { portal: 'mediawiki', payload }, { 'Idempotency-Key': `mw-${run}-${n}` });
      expect(status).toBe(202);
      ids.push(body.jobId);
    }

    await until(`${EXPIRE_AFTER} jobs final`, async () => (await jobs(ids)).filter((job) => job.final).length >= EXPIRE_AFTER, JOBS_FINAL_MS);
    const finalBeforeExpiry = (await jobs(ids)).filter((job) => job.final).length;
    expect(finalBeforeExpiry).toBeLessThan(JOBS);
    expect(wiki.expireAllSessions()).toBeGreaterThan(0);

    const views = await until(
      'every job final',
      async () => {
        const all = await jobs(ids);
        return all.every((job) => job.final) ? all : null;
      },
      JOBS_FINAL_MS,
    );

    // What the wiki's own database holds for each job's page. A job submitted holds exactly one
    // revision, the one it reports. A job whose save was clicked just as its session vanished
    // got MediaWiki's refusal page: the engine never retries after a click, it looks the page
    // up (not there) and ends failed_post_submission, so that page holds nothing. Only jobs at
    // their click at that moment can end so: at most CONCURRENCY of them.
    const outcomes = await Promise.all(
      views.map(async (job, n) => ({
        title: titleOf(n),
        state: job.state,
        reference: job.reference,
        revisions: wiki.revisionIds(titleOf(n)),
        // The job's history, shown when the comparison fails.
        events: job.state === 'submitted' ? [] : (await call<{ events: Array<{ type: string }> }>('GET', `/api/streams/job-${job.jobId}/events`)).body.events.map((e) => e.type),
      })),
    );
    expect(outcomes).toEqual(
      outcomes.map((outcome) =>
        outcome.state === 'submitted' ? { ...outcome, revisions: [Number(outcome.reference)] } : { ...outcome, state: 'failed_post_submission', revisions: [] },
      ),
    );
    expect(outcomes.filter((outcome) => outcome.state !== 'submitted').length).toBeLessThanOrEqual(CONCURRENCY);
    // The expiry was noticed: the master session logged in again.
    const after = (await call<{ state: string; recoveries: number }>('GET', '/api/sessions/mediawiki')).body;
    expect(after.recoveries).toBeGreaterThan(recoveriesBefore);
  });

  it('wrote a log that holds neither the wiki password nor the API token', () => {
    expect(logLines.length).toBeGreaterThan(0);
    for (const line of logLines) {
      expect(line).not.toContain(wiki.password);
      expect(line).not.toContain(token);
    }
  });
});
