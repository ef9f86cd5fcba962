// The server's captcha solvers from PORTALS, wired to its metrics: a chain [captcha service,
// operator] built from the configuration, its key read from the secrets file, solved by a local
// fake service on 127.0.0.1; each stage's outcome and the service's cost per solve are counted
// in /metrics, and nothing there or in the errors holds the key.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileSecretProvider } from '@engine/core';
import { ManualCaptchaSolver, manualStageOf, PortalSimCaptchaSolver } from '@engine/portals';
import { startFakeCaptchaService, type FakeCaptchaService } from '@engine/portals/testing';
import { loadConfig } from '../config';
import { EngineMetrics } from '../metrics/metrics';
import { buildCaptchaSolvers } from './captcha-solvers';

const KEY = 'K3Y9SECRET7XYZ';
const challenge = { image: Buffer.from('png bytes'), portal: 'insurer', captchaId: 'c-1' };

describe('captcha solvers from PORTALS, counted in the metrics', () => {
  let service: FakeCaptchaService;
  let dir: string;

  beforeEach(async () => {
    service = await startFakeCaptchaService({ key: KEY, answer: () => 'X7Q2K' });
    dir = mkdtempSync(join(tmpdir(), 'captcha-solvers-'));
    writeFileSync(join(dir, 'secrets.json'), JSON.stringify({ 'secret://captcha-service': { username: 'engine', password: KEY } }));
  });

  afterEach(async () => {
    await service.close();
    rmSync(dir, { recursive: true, force: true });
  });

  function build(captcha: unknown) {
    const secretsFile = join(dir, 'secrets.json');
    const config = loadConfig({
      SECRETS_FILE: secretsFile,
      PORTALS: JSON.stringify([
        { adapter: 'portal-sim', options: { id: 'insurer', baseUrl: 'http://127.0.0.1:1' }, credentialsRef: 'secret://insurer/login', captcha },
        { adapter: 'portal-sim', options: { baseUrl: 'http://127.0.0.1:1' }, credentialsRef: 'secret://sim/login', captcha: 'portal-sim' },
        { adapter: 'portal-sim', options: { id: 'manual-only', baseUrl: 'http://127.0.0.1:1' }, credentialsRef: 'secret://m/login' },
      ]),
    });
    const metrics = new EngineMetrics();
    const manual = new ManualCaptchaSolver();
    const ids = ['insurer', 'portal-sim', 'manual-only'];
    const solvers = buildCaptchaSolvers(
      config.portals.map((portal, i) => ({ id: ids[i], config: portal })),
      { manual, secrets: new FileSecretProvider(secretsFile), observe: (report) => metrics.captchaSolved(report) },
    );
    return { solvers, metrics, manual };
  }

  it('solves through the service with the key from the secrets file, counting the solve and its cost', async () => {
    const { solvers, metrics } = build([{ http: { url: service.url, keyRef: 'secret://captcha-service', pollIntervalMs: 100, costPerSolve: 0.002 } }, 'manual']);
    await expect(solvers.get('insurer')!.solve(challenge, { timeoutMs: 10_000 })).resolves.toBe('X7Q2K');
    await expect(solvers.get('insurer')!.solve(challenge, { timeoutMs: 10_000 })).resolves.toBe('X7Q2K');
    const text = await metrics.registry.metrics();
    expect(text).toContain('engine_captcha_solves_total{portal="insurer",solver="http",outcome="solved"} 2');
    expect(text).toContain('engine_captcha_solve_cost_total{portal="insurer",solver="http"} 0.004');
    expect(text).not.toContain(KEY);
  });

  it('hands a captcha the service cannot solve to the operator, counting both stages; a failed solve costs nothing', async () => {
    const { solvers, metrics, manual } = build([{ http: { url: service.url, keyRef: 'secret://captcha-service', pollIntervalMs: 100, costPerSolve: 0.002 } }, 'manual']);
    service.set({ submitError: 'ERROR_ZERO_BALANCE' });
    const asked = new Promise<string>((resolve) => manual.onPending((pending) => resolve(pending.id)));
    const solving = solvers.get('insurer')!.solve(challenge, { timeoutMs: 10_000 });
    manual.answer(await asked, 'BY-HAND');
    await expect(solving).resolves.toBe('BY-HAND');
    const text = await metrics.registry.metrics();
    expect(text).toContain('engine_captcha_solves_total{portal="insurer",solver="http",outcome="unsolvable"} 1');
    expect(text).toContain('engine_captcha_solves_total{portal="insurer",solver="manual",outcome="solved"} 1');
    expect(text).not.toContain('engine_captcha_solve_cost_total{');
  });

  it('keeps portal-sim as the simulator\'s solver and leaves manual to the engine\'s default', () => {
    const { solvers } = build('manual');
    expect(solvers.get('portal-sim')).toBeInstanceOf(PortalSimCaptchaSolver);
    expect(solvers.has('insurer')).toBe(false);
    expect(solvers.has('manual-only')).toBe(false);
  });

  it('ends a chain with the engine\'s own manual solver, the one the API answers', () => {
    const { solvers, manual } = build(['portal-sim', 'manual']);
    expect(manualStageOf(solvers.get('insurer')!)).toBe(manual);
  });
});
