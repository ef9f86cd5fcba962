// The CLI for its tests, two ways. `runCliInProcess` calls the same entry the `engine` command
// runs (cliMain: arguments, settings, exit code, `engine: …` on stderr) with streams of its
// own: a test about what a command does pays no process start (TypeScript compiled from source,
// seconds each on a loaded machine). `runCliProcess` starts the real process, for the tests
// about the process itself (its exit code, its streams, its environment).
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { cliMain } from '../main';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

const ROOT = join(__dirname, '..', '..', '..', '..', '..');

/** The settings that locate the store and the secrets: the tests name theirs, so these come from `extra` only. */
const NAMED_BY_TESTS = ['DATABASE_URL', 'DATA_DIR', 'ENGINE_CONFIG', 'SECRETS_FILE'];

/** The environment a run sees: this process's, without those settings unless `extra` sets them. */
function cliEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of NAMED_BY_TESTS) delete env[name];
  return { ...env, ...extra };
}

function collector(): { stream: Writable; text: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  return { stream, text: () => chunks.join('') };
}

export async function runCliInProcess(args: string[], extraEnv: Record<string, string> = {}): Promise<CliRun> {
  const stdout = collector();
  const stderr = collector();
  const stdin = new PassThrough();
  stdin.end();
  const code = await cliMain(args, cliEnv(extraEnv), { stdout: stdout.stream, stderr: stderr.stream, stdin });
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}

export function runCliProcess(args: string[], extraEnv: Record<string, string> = {}, timeoutMs?: number): Promise<CliRun> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['-r', './scripts/ts-run.js', 'apps/server/src/cli/main.ts', ...args], { cwd: ROOT, env: cliEnv(extraEnv), timeout: timeoutMs }, (error, stdout, stderr) => {
      resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}
