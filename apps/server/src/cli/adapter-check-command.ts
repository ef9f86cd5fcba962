// `adapter check <module-or-file>`: drives one portal adapter against the live portal the way the
// engine does (launch, login, probe a valid and an expired session, fill every step), stops
// before the irreversible submit, and prints each step with its time and a screenshot, so an
// adapter author or an operator sees where an adapter breaks before a job does.
// Everything that can be refused without a browser (options, adapter module, payload,
// credentials, captcha choice) is refused before Chromium starts.
import { mkdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Page } from 'puppeteer-core';
import { EngineError, errorCode, FileSecretProvider, type LoginSecret } from '@engine/core';
import { BrowserHost, runOperation, type ManagedBrowser, type OperationOptions, type ProbeResult } from '@engine/browser';
import { loadPortalAdapters, PortalSimAdapter, PortalSimCaptchaSolver, type CaptchaSolver, type PortalAdapter } from '@engine/portals';
import { CliError, EXIT } from './cli-error';
import { TerminalCaptchaSolver } from './terminal-captcha-solver';

/** A bound on every browser operation: a hung portal fails the step instead of the command hanging. */
const OPERATION_TIMEOUT_MS = 60_000;

export interface AdapterCheckArgs {
  /** `portal-sim` (the built-in simulator adapter, as in PORTALS) or a path to an adapter module or file. */
  adapter: string;
  /** JSON object handed to the adapter, as PORTALS' `options`. */
  options?: string;
  credentialsRef?: string;
  /** Else SECRETS_FILE. */
  secretsFile?: string;
  captcha?: string;
  payload?: string;
  /** Else ./data/adapter-check/<timestamp>. */
  out?: string;
}

interface Io {
  out: (line: string) => void;
  err: (line: string) => void;
  /** Where the manual captcha is asked for and answered. */
  terminal: { input: NodeJS.ReadableStream & { isTTY?: boolean }; output: NodeJS.WritableStream };
}

export async function adapterCheckCommand(args: AdapterCheckArgs, env: NodeJS.ProcessEnv, io: Io): Promise<number> {
  const options = parseOptions(args.options);
  const adapter = loadAdapter(args.adapter, options);
  const payload = await readPayload(adapter, args.payload);
  const credentials = await resolveCredentials(args.credentialsRef, args.secretsFile ?? env.SECRETS_FILE);
  const dir = resolve(args.out ?? join('data', 'adapter-check', new Date().toISOString().replace(/[:.]/g, '-')));
  const captchaSolver = chooseCaptchaSolver(args.captcha, adapter, dir, io.terminal);
  await mkdir(dir, { recursive: true });

  // The answers the solver gives are secrets too: any message that echoes one is redacted.
  const answers: string[] = [];
  const solver: CaptchaSolver = {
    solve: async (challenge, operation) => {
      const answer = await captchaSolver.solve(challenge, operation);
      answers.push(answer);
      return answer;
    },
  };
  const redact = (text: string) => [credentials.username, credentials.password, ...answers].filter((s) => s.length > 0).reduce((t, secret) => t.split(secret).join('***'), text);

  const interrupt = new AbortController();
  const onSignal = () => interrupt.abort(new Error('interrupted'));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const host = new BrowserHost();
  const op: OperationOptions = { timeoutMs: OPERATION_TIMEOUT_MS, signal: interrupt.signal };
  const steps = new StepRunner(dir, op, io.out, redact);
  io.out(`adapter check: ${adapter.id} at ${adapter.origin}; screenshots in ${dir}`);
  try {
    const session = await steps.run('launch', async () => {
      const browser = await host.launch(op);
      steps.page = await openPage(browser, op);
      return { browser, page: steps.page };
    });
    await steps.run('login', () => adapter.login(session.page, credentials, solver, op));
    await steps.run('probe (valid session)', async () => expectProbe(await adapter.probe(session.page, op), 'valid'));
    await steps.run('probe (expired session)', async () => {
      // A new tab (its own sessionStorage) in a browser without the origin's cookies and storage.
      const fresh = await openPage(session.browser, op);
      const used = session.page;
      await runOperation('close page', op, (scope) => scope.race(used.close()));
      session.page = steps.page = fresh;
      await clearOrigin(session.page, adapter.origin, op);
      const verdict = expectProbe(await adapter.probe(session.page, op), 'login-form');
      return `${verdict}${await loginFormShown(session.page, adapter, op)}`;
    });
    // The dry run needs a session again.
    await steps.run('login (again)', () => adapter.login(session.page, credentials, solver, op));
    for (const step of adapter.fillSteps) await steps.run(`fill ${step}`, () => adapter.fillStep(session.page, payload, step, op));
    io.out('dry run: stopped before submit, which was not called');
    io.out(`adapter check OK: ${adapter.id}, ${steps.count} steps`);
    return EXIT.ok;
  } catch (error) {
    if (!(error instanceof StepFailedError)) throw error;
    io.err(`adapter check failed at step ${error.step}: ${redact(describe(error.cause))}`);
    return EXIT.failed;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await host.closeAll();
  }
}

class StepFailedError extends Error {
  constructor(
    readonly step: string,
    override readonly cause: unknown,
  ) {
    super(`step ${step} failed`);
  }
}

/** Runs the named steps in order, printing one line each: verdict, time, screenshot and what decided it. */
class StepRunner {
  count = 0;
  /** The page the steps drive, captured after each step. */
  page: Page | undefined;

  constructor(
    private readonly dir: string,
    private readonly op: OperationOptions,
    private readonly out: (line: string) => void,
    private readonly redact: (text: string) => string,
  ) {}

  /** A string result is the step's note (a probe's evidence); it ends the line. */
  async run<T>(name: string, work: () => Promise<T>): Promise<T> {
    this.count += 1;
    const started = performance.now();
    const elapsed = () => `${String(Math.round(performance.now() - started)).padStart(6)} ms`;
    let result: T;
    try {
      result = await work();
    } catch (error) {
      const ms = elapsed();
      this.out(`FAIL ${name.padEnd(24)} ${ms}  ${await this.screenshot(name)}  ${this.redact(describe(error))}`);
      throw new StepFailedError(name, error);
    }
    const ms = elapsed();
    this.out(`ok   ${name.padEnd(24)} ${ms}  ${await this.screenshot(name)}${typeof result === 'string' ? `  ${result}` : ''}`);
    return result;
  }

  /** The page as the step left it. A page that cannot be captured (closed, crashed) says why instead of failing the check. */
  private async screenshot(name: string): Promise<string> {
    const page = this.page;
    if (!page) return '(no page)';
    const file = `${String(this.count).padStart(2, '0')}-${name.replace(/[^a-z0-9]+/gi, '-').replace(/-$/, '').toLowerCase()}.png`;
    const path = join(this.dir, file);
    try {
      // Bounded, but not by the interrupt: the failing step's picture is still taken after Ctrl-C.
      await runOperation(`screenshot ${name}`, { timeoutMs: this.op.timeoutMs }, (scope) => scope.race(page.screenshot({ path, fullPage: true, type: 'png' })));
      return path;
    } catch (error) {
      return `(no screenshot: ${describe(error)})`;
    }
  }
}

function parseOptions(json: string | undefined): Record<string, unknown> {
  if (json === undefined) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    throw new CliError('--options must be a JSON object, e.g. \'{"baseUrl":"https://portal.example"}\'');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new CliError('--options must be a JSON object');
  return parsed as Record<string, unknown>;
}

/** As the server does for an entry of PORTALS: `portal-sim` is built in, anything else a module or file. */
function loadAdapter(adapter: string, options: Record<string, unknown>): PortalAdapter {
  try {
    if (adapter !== 'portal-sim') return loadPortalAdapters([{ path: adapter, options }])[0];
    if (typeof options.baseUrl !== 'string') throw new CliError('the portal-sim adapter needs --options \'{"baseUrl":"http://127.0.0.1:<port>"}\'');
    return new PortalSimAdapter({ baseUrl: options.baseUrl, id: typeof options.id === 'string' ? options.id : undefined });
  } catch (error) {
    if (error instanceof CliError) throw error;
    throw new CliError(`adapter ${adapter} could not be loaded: ${describe(error)}`);
  }
}

async function readPayload(adapter: PortalAdapter, file: string | undefined): Promise<unknown> {
  if (file === undefined) throw new CliError('--payload <file.json> is required: the job payload the dry run fills in');
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw new CliError(`payload ${file} is missing or not JSON: ${describe(error)}`);
  }
  const parsed = adapter.payloadSchema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const fields = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(payload)'}: ${issue.message}`);
  throw new CliError(`payload ${file} does not fit ${adapter.id}'s payload schema, nothing was started:\n  ${fields.join('\n  ')}`);
}

/** Through the same secrets file the server reads: the login never appears in argv, the environment or the output. */
async function resolveCredentials(ref: string | undefined, secretsFile: string | undefined): Promise<LoginSecret> {
  if (ref === undefined) throw new CliError('--credentials-ref <ref> is required: the login, resolved from the secrets file');
  if (!secretsFile) throw new CliError(`--credentials-ref ${ref} needs a secrets file: --secrets-file <file> or SECRETS_FILE`);
  try {
    return await new FileSecretProvider(resolve(secretsFile)).resolve(ref);
  } catch (error) {
    // These errors name the reference or the file, never a secret.
    if (error instanceof EngineError) throw new CliError(error.message);
    throw error;
  }
}

/**
 * `portal-sim` reads the simulator's test hook (only a simulator started with test hooks has it);
 * `manual`, the default as on the server, shows the image and asks on the terminal.
 */
function chooseCaptchaSolver(choice: string | undefined, adapter: PortalAdapter, dir: string, terminal: Io['terminal']): CaptchaSolver {
  if (choice === 'portal-sim') return new PortalSimCaptchaSolver(adapter.origin);
  if (choice !== undefined && choice !== 'manual') throw new CliError('--captcha must be manual or portal-sim');
  if (!terminal.input.isTTY) throw new CliError('--captcha manual asks for the captcha on a terminal, and stdin is not one (the simulator: --captcha portal-sim)');
  return new TerminalCaptchaSolver(dir, terminal.input, terminal.output);
}

function openPage(browser: ManagedBrowser, op: OperationOptions): Promise<Page> {
  return runOperation('open page', op, (scope) => scope.race(browser.browser.newPage()));
}

/** The portal's cookies and storage go, as when the portal has ended the session or the cookies expired. */
function clearOrigin(page: Page, origin: string, op: OperationOptions): Promise<void> {
  return runOperation(`clear ${origin}`, op, async (scope) => {
    const cdp = await scope.race(page.createCDPSession());
    try {
      await scope.race(cdp.send('Storage.clearDataForOrigin', { origin, storageTypes: 'all' }));
    } finally {
      await cdp.detach().catch(() => undefined);
    }
  });
}

class ProbeMismatchError extends EngineError {
  constructor(expected: ProbeResult['status'], result: ProbeResult) {
    super('PROBE_MISMATCH', `expected ${expected}, the probe said ${result.status} (${evidence(result)})`, { details: { expected, status: result.status } });
  }
}

/**
 * The probe may decide on the redirect alone. When the adapter names its login form, the check
 * also waits for it to show: a `selectors.loginForm` the portal never shows is found here, not
 * when a probe in production lands on a login page without a redirect.
 */
function loginFormShown(page: Page, adapter: PortalAdapter, op: OperationOptions): Promise<string> {
  const { loginForm } = adapter.selectors;
  if (!loginForm) return Promise.resolve('');
  return runOperation(`wait for the login form ${loginForm}`, op, async (scope) => {
    await page.waitForSelector(loginForm, { timeout: 0, signal: scope.signal });
    return `; login form ${loginForm} shown`;
  });
}

function expectProbe(result: ProbeResult, expected: ProbeResult['status']): string {
  if (result.status !== expected) throw new ProbeMismatchError(expected, result);
  return `${result.status} by ${evidence(result)}`;
}

/** The marker that decided and what it matched, e.g. `loginUrlPatterns (url /Login.aspx, pattern /^\/Login\.aspx/i)`. */
function evidence({ evidence: { marker, kind, detail, pattern } }: ProbeResult): string {
  return `${marker} (${kind} ${detail}${pattern ? `, pattern ${pattern}` : ''})`;
}

/** An engine error as `CODE message` (by code: a plugin adapter may throw from its own copy of the kit); anything else by its name. */
function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  return `${errorCode(error) ?? error.name} ${error.message}`;
}
