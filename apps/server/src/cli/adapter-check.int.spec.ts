// `adapter check` as operators run it: the CLI's own entry (in process; cli.int.spec.ts runs the
// real process), real Chromium, and the real portal simulator in this process, so the test sees
// what the portal recorded (logins, requests, and above all no submission).
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startPortalSim, type PortalSim } from '@engine/portal-sim';
import { sampleProposal } from '@engine/portals';
import { runCliInProcess } from './testing/run-cli';

// Each test starts Chromium: generous on a loaded machine.
jest.setTimeout(240_000);

const AGENT = { username: 'agent', password: 'Secr3t!pass' };
const WRONG_PASSWORD = 'Wr0ng!pass-xyz';

let sim: PortalSim;
let dir: string;
let secrets: string;
let goodPayload: string;

interface Step {
  verdict: 'ok' | 'FAIL';
  name: string;
  screenshot: string;
  note: string;
}

function adapterCheck(...args: string[]) {
  return runCliInProcess(['adapter', 'check', ...args]);
}

/** The simulator through its built-in adapter (as a PORTALS entry names it) unless another adapter is given. */
function simArgs(ref: string, payload: string, out: string, adapter = 'portal-sim'): string[] {
  return [adapter, '--options', JSON.stringify({ baseUrl: sim.url }), '--captcha', 'portal-sim', '--credentials-ref', ref, '--secrets-file', secrets, '--payload', payload, '--out', out];
}

const ALL_STEPS = ['launch', 'login', 'probe (valid session)', 'probe (expired session)', 'login (again)', 'fill vehicle', 'fill customer', 'fill quote'];

function steps(stdout: string): Step[] {
  return stdout
    .split('\n')
    .map((line) => /^(ok|FAIL) +(.+?) +\d+ ms {2}(\S+)(?: {2}(.*))?$/.exec(line))
    .filter((match) => match !== null)
    .map(([, verdict, name, screenshot, note]) => ({ verdict: verdict as Step['verdict'], name, screenshot, note: note ?? '' }));
}

function isPng(path: string): boolean {
  return existsSync(path) && readFileSync(path).subarray(1, 4).toString() === 'PNG';
}

beforeAll(async () => {
  sim = await startPortalSim({ port: 0, testHooks: true, seed: 23, modelsLatencyMs: 20 });
  dir = mkdtempSync(join(tmpdir(), 'engine-adapter-check-'));
  secrets = join(dir, 'secrets.json');
  writeFileSync(secrets, JSON.stringify({ 'secret://sim/login': AGENT, 'secret://sim/wrong': { username: AGENT.username, password: WRONG_PASSWORD } }));
  goodPayload = join(dir, 'payload.json');
  writeFileSync(goodPayload, JSON.stringify(sampleProposal(1, 'CHECK')));
});

afterAll(async () => {
  await sim.close();
  rmSync(dir, { recursive: true, force: true });
});

afterEach(() => sim.faults.reset());

describe('engine adapter check', () => {
  it('logs in, probes a valid and an expired session, fills every step with a screenshot each, and never submits', async () => {
    const before = sim.stats();
    const out = join(dir, 'good');
    const run = await adapterCheck(...simArgs('secret://sim/login', goodPayload, out));
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const printed = steps(run.stdout);
    expect(printed.map((s) => `${s.verdict} ${s.name}`)).toEqual(ALL_STEPS.map((name) => `ok ${name}`));
    for (const step of printed) {
      expect(step.screenshot.startsWith(out)).toBe(true);
      expect(isPng(step.screenshot)).toBe(true);
    }
    expect(printed[2].note).toBe('valid by loggedIn (selector #divMainMotors)');
    expect(printed[3].note).toBe('login-form by loginUrlPatterns (url /Login.aspx, pattern /^\\/Login\\.aspx$/i); login form #txtUserName shown');
    expect(run.stdout).toContain('stopped before submit');
    const after = sim.stats();
    expect(after.submissions).toEqual(before.submissions);
    expect(after.logins - before.logins).toBe(2);
    expect(run.stdout).not.toContain(AGENT.password);
  });

  it('checks the declarative twin, portals/portal-sim.yaml, the same way', async () => {
    const before = sim.stats();
    const out = join(dir, 'yaml');
    const run = await adapterCheck(...simArgs('secret://sim/login', goodPayload, out, 'portals/portal-sim.yaml'));
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('adapter check: portal-sim-yaml at');
    const printed = steps(run.stdout);
    expect(printed.map((s) => `${s.verdict} ${s.name}`)).toEqual(ALL_STEPS.map((name) => `ok ${name}`));
    expect(printed.every((step) => isPng(step.screenshot))).toBe(true);
    expect(printed[2].note).toMatch(/^valid by loggedIn /);
    expect(printed[3].note).toMatch(/^login-form by loginUrlPatterns \(url \/Login\.aspx,/);
    expect(sim.stats().submissions).toEqual(before.submissions);
  });

  it('fails at the login with a wrong password, naming the step, without printing the password', async () => {
    const out = join(dir, 'wrong-password');
    const run = await adapterCheck(...simArgs('secret://sim/wrong', goodPayload, out));
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^adapter check failed at step login: LOGIN_FAILED /m);
    const printed = steps(run.stdout);
    expect(printed.map((s) => `${s.verdict} ${s.name}`)).toEqual(['ok launch', 'FAIL login']);
    expect(isPng(printed[1].screenshot)).toBe(true);
    expect(run.stdout + run.stderr).not.toContain(WRONG_PASSWORD);
  });

  it('fails at the fill step the portal rejects, with the field, and still submits nothing', async () => {
    const before = sim.stats();
    sim.faults.set({ validationErrorAtStep: 2 });
    const run = await adapterCheck(...simArgs('secret://sim/login', goodPayload, join(dir, 'rejected')));
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^adapter check failed at step fill customer: FORM_REJECTED .*txtMobile/m);
    expect(steps(run.stdout).map((s) => `${s.verdict} ${s.name}`).slice(-2)).toEqual(['ok fill vehicle', 'FAIL fill customer']);
    expect(sim.stats().submissions).toEqual(before.submissions);
  });

  it('refuses a payload that does not fit the schema, listing the fields, before anything is launched', async () => {
    const bad = join(dir, 'bad-payload.json');
    const payload = sampleProposal(2, 'CHECK');
    writeFileSync(bad, JSON.stringify({ ...payload, vehicle: { ...payload.vehicle, chassisNo: 'short' }, customer: { ...payload.customer, email: 'not-an-email' } }));
    const requests = sim.stats().requests;
    const out = join(dir, 'bad-payload');
    const run = await adapterCheck(...simArgs('secret://sim/login', bad, out));
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('vehicle.chassisNo: a 17-character VIN');
    expect(run.stderr).toContain('customer.email');
    expect(run.stdout).toBe('');
    expect(existsSync(out)).toBe(false);
    expect(sim.stats().requests).toBe(requests);

    const unknownRef = await adapterCheck(...simArgs('secret://sim/nobody', goodPayload, out));
    expect(unknownRef.code).toBe(2);
    expect(unknownRef.stderr).toContain('no secret for reference secret://sim/nobody');
    expect(sim.stats().requests).toBe(requests);
  });
});
