// A user's own project, outside this repository: it installs the adapter kit from the tarball
// `npm pack` makes, compiles a TypeScript adapter against it, and the server (its own process)
// loads that adapter from PORTALS and runs jobs with it against the portal simulator. The
// adapter's errors come from its own copy of the kit, so the engine must classify them by code.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import request from 'supertest';
import { sampleProposal } from '@engine/portals';
import { startPortalSim, type PortalSim } from '@engine/portal-sim';
import { CREDENTIALS_REF, serverEnv, uniqueSecrets, until } from '../../apps/server/test/support/e2e-env';
import { killOrphans, spawnServer, type ServerProcess } from '../../apps/server/test/support/server-process';

jest.setTimeout(600_000);

const ROOT = resolve(__dirname, '../..');
const KIT = join(ROOT, 'packages/adapter-kit');
const secrets = uniqueSecrets();
const run = Date.now().toString(36).toUpperCase();
let work: string;
let project: string;
let tarball: string;
let sim: PortalSim;
let server: ServerProcess | undefined;

const npm = (args: string[], cwd: string) => execFileSync('npm', [...args, '--no-audit', '--no-fund', '--loglevel=error'], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 300_000 });

beforeAll(async () => {
  // Outside the repository: nothing above it has node_modules the adapter could lean on.
  work = realpathSync(mkdtempSync(join(tmpdir(), 'adapter-project-')));
  tarball = join(work, npm(['pack', '--pack-destination', work], KIT).trim().split('\n').pop() as string);
  project = join(work, 'my-portal-adapters');
  cpSync(join(__dirname, 'fixture'), project, { recursive: true });
  sim = await startPortalSim({ testHooks: true, seed: 23, users: [{ username: 'agent', password: secrets.password }] });
});

afterAll(async () => {
  if (server) {
    server.child.kill('SIGTERM');
    await server.exited;
    await killOrphans(work);
  }
  await sim?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('an adapter built in another project against the packed adapter kit', () => {
  it('the tarball holds only built JavaScript, type declarations, the README and package.json', () => {
    const files = execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' }).trim().split('\n');
    expect(files).toEqual(expect.arrayContaining(['package/package.json', 'package/dist/index.js', 'package/dist/index.d.ts', 'package/README.md']));
    const stray = files.filter((f) => !/^package\/(package\.json|README\.md|dist\/[\w-]+\.(js|d\.ts))$/.test(f));
    expect(stray).toEqual([]);
    expect(files.some((f) => f.includes('.spec.'))).toBe(false);
  });

  it('installs the kit from the tarball and compiles the adapter with the kit’s types', () => {
    npm(['install', '--prefer-offline', tarball, '@types/node@^20'], project);
    expect(readdirSync(join(project, 'node_modules/@portal-engine/adapter-kit/dist'))).toContain('index.d.ts');
    execFileSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', join(project, 'tsconfig.json')], { cwd: project, encoding: 'utf8' });
    expect(existsSync(join(project, 'dist/sim-adapter.js'))).toBe(true);
  });

  it('under the engine’s runner the adapter gets the kit installed in its project, not the engine’s source copy', () => {
    const script = `require(${JSON.stringify(join(project, 'dist/sim-adapter.js'))}); console.log(JSON.stringify(Object.keys(require.cache).filter((f) => f.includes('adapter-kit'))))`;
    const loaded: string[] = JSON.parse(execFileSync(process.execPath, ['-r', join(ROOT, 'scripts/ts-run.js'), '-e', script], { cwd: ROOT, encoding: 'utf8' }));
    expect(loaded).toContain(join(project, 'node_modules/@portal-engine/adapter-kit/dist/index.js'));
    expect(loaded.filter((f) => f.startsWith(KIT))).toEqual([]);
  });

  it('the server loads it from PORTALS and runs jobs with it: one submitted, a refused step failed with its code, a bad payload refused at the edge', async () => {
    const portals = [{ adapter: join(project, 'dist/sim-adapter.js'), options: { baseUrl: sim.url, id: 'outside-sim' }, credentialsRef: CREDENTIALS_REF, captcha: 'portal-sim' }];
    const dataDir = join(work, 'data');
    const env = serverEnv(sim, dataDir, secrets, { PORTALS: JSON.stringify(portals) });
    server = await spawnServer(env);
    const api = () => request(server!.url);
    const auth = { Authorization: `Bearer ${secrets.token}` };
    await until('master session ready', async () => (await api().get('/api/sessions/outside-sim').set(auth)).body.state === 'ready', 240_000);

    const good = await api().post('/api/jobs').set(auth).set('Idempotency-Key', `outside-${run}-1`).send({ portal: 'outside-sim', payload: sampleProposal(1, run) }).expect(202);
    const unknownModel = sampleProposal(2, run);
    unknownModel.vehicle.model = 'No Such Model';
    const refused = await api().post('/api/jobs').set(auth).set('Idempotency-Key', `outside-${run}-2`).send({ portal: 'outside-sim', payload: unknownModel }).expect(202);
    const bad = await api().post('/api/jobs').set(auth).set('Idempotency-Key', `outside-${run}-3`).send({ portal: 'outside-sim', payload: { vehicle: { make: 'x' } } });
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe('VALIDATION_FAILED');

    const final = (id: string) =>
      until(`job ${id} final`, async () => {
        const body = (await api().get(`/api/jobs/${id}`).set(auth).expect(200)).body;
        return body.final ? body : null;
      }, 300_000);
    const [submitted, failed] = await Promise.all([final(good.body.jobId), final(refused.body.jobId)]);
    expect(submitted).toMatchObject({ state: 'submitted', reference: expect.stringMatching(/^PRP-/) });
    // FORM_REJECTED, not a generic code: the engine read the code off the adapter's own error class.
    expect(failed).toMatchObject({ state: 'failed', failures: [expect.objectContaining({ code: 'FORM_REJECTED', step: 'vehicle' })] });
    expect(sim.stats().submissions).toEqual({ [sampleProposal(1, run).vehicle.chassisNo.toUpperCase()]: 1 });
  });
});
