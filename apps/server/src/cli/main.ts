// The engine's command-line tool for operators and auditors, reading the same log as the
// server:
//   replay <stream> [--to N] [--full] each step's version, event type and state (from the latest
//                                     snapshot at or before N; from version 1 with --full)
//   audit verify                      hash chains and replay of every stream, archived chains from
//                                     their segments; non-zero on failure
//   archive --older-than <duration> [--dry-run]  finished job streams idle that long into a
//                                     segment in the archive folder, then out of the store
//   export <stream> --format jsonl    the stream's events, one JSON object per line
//   migrate --dry-run | --apply       in-flight streams on an older machine version to the newest,
//                                     along the declared migrations (server stopped)
//   backup <file> [--force]           an online copy of the SQLite store (the server may run) and
//                                     of the archive segments it anchors (into <file>.archive)
//   restore <file> [--data-dir D] [--force]  puts a backup in place as the store, its segments
//                                     into the archive folder
//   adapter check <module-or-file> --payload F --credentials-ref R [--options JSON] [--captcha C] [--out D]
//                                     a dry run against the live portal up to the step before submit
// Store: --store <location> (sqlite:<file> or postgres://…), else DATABASE_URL, else sqlite:./data/events.db.
// Run: node -r ./scripts/ts-run.js apps/server/src/cli/main.ts <command>  (npm run engine -- <command>)
import { parseArgs } from 'node:util';
import { SystemClock, type EventStore } from '@engine/core';
// The machine list alone, not the composition root behind '@engine/engine': that one loads the
// browser, portal and scheduler code too, which takes seconds and the CLI never runs.
import { ENGINE_MACHINES } from '@engine/machines';
import { archiveCommand, archiveDirFor, jobArchive, parseDuration } from './archive-command';
import { auditVerifyCommand } from './audit-command';
import { backupCommand, restoreCommand } from './backup-command';
import { CliError, EXIT } from './cli-error';
import { exportCommand } from './export-command';
import { migrateCommand } from './migrate-command';
import { openStoreForReading, POSTGRES_URL, storeLocation } from './open-store';
import { progressOn } from './progress';
import { replayCommand } from './replay-command';

const USAGE = `usage: engine <command> [--store <location>]
  replay <stream> [--to N] [--full]            from the latest snapshot at or before N; --full: from version 1
  audit verify [--archive-dir <dir>]
  archive --older-than <duration> [--dry-run] [--archive-dir <dir>]
                                               finished job streams (submitted, failed, cancelled, needs_review …)
                                               with no event for <duration> (90d, 12h, 30m …) go to a gzip JSONL
                                               segment in the archive folder (--archive-dir, else $DATA_DIR/archive,
                                               else next to the store) and out of the store; --dry-run lists them
  export <stream> --format jsonl
  migrate --dry-run | --apply                  in-flight streams on an older version of their machine move to the newest
                                               along its declared migrations (an actor.migrated event each); --dry-run
                                               lists what each would become; run it while the server is stopped
  backup <file> [--force] [--archive-dir <dir>]  online copy of a SQLite store and the archive segments it
                                               anchors (into <file>.archive; PostgreSQL: pg_dump)
  restore <file> [--data-dir <dir>] [--force]  into <dir>/events.db, else into the store; --force replaces one that holds events;
                                               the segments from <file>.archive into <dir>/archive (or the archive folder)
  adapter check <portal-sim | module-or-file> --payload <file.json> --credentials-ref <ref>
        [--secrets-file <file>] [--options <json>] [--captcha manual|portal-sim] [--out <dir>]
                                               logs in, probes a valid and an expired session and fills every
                                               step up to submit (never submits); a screenshot per step in --out
                                               (default ./data/adapter-check/<time>); credentials from the secrets
                                               file (--secrets-file, else SECRETS_FILE); non-zero names the failed step
store: --store (sqlite:<file> or postgres://…), else DATABASE_URL, else sqlite:./data/events.db`;

/** Where a run reads and writes: the process's own streams, or (in tests) streams of their own. */
export interface CliIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
}

/** One run as the `engine` command does it: the exit code, an error told on stderr as `engine: …`. */
export async function cliMain(argv: string[], env: NodeJS.ProcessEnv = process.env, io: CliIo = process): Promise<number> {
  try {
    return await runCli(argv, env, io);
  } catch (error) {
    const known = error instanceof CliError || String((error as { code?: unknown }).code).startsWith('ERR_PARSE_ARGS');
    io.stderr.write(`engine: ${error instanceof Error ? error.message : String(error)}\n`);
    return error instanceof CliError ? error.exitCode : known ? EXIT.usage : EXIT.failed;
  }
}

export async function runCli(argv: string[], env: NodeJS.ProcessEnv = process.env, io: CliIo = process): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      store: { type: 'string' },
      to: { type: 'string' },
      format: { type: 'string' },
      'data-dir': { type: 'string' },
      force: { type: 'boolean' },
      full: { type: 'boolean' },
      'older-than': { type: 'string' },
      'dry-run': { type: 'boolean' },
      apply: { type: 'boolean' },
      'archive-dir': { type: 'string' },
      options: { type: 'string' },
      payload: { type: 'string' },
      'credentials-ref': { type: 'string' },
      'secrets-file': { type: 'string' },
      captcha: { type: 'string' },
      out: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [command, arg, target] = positionals;
  if (values.help || !command) {
    io.stdout.write(`${USAGE}\n`);
    return values.help ? EXIT.ok : EXIT.usage;
  }
  const out = (line: string) => void io.stdout.write(`${line}\n`);
  // These two handle the store file themselves: the backup never opens it for writing, the restore creates it.
  const archiveDirOf = (storePath: string) => archiveDirFor(values['archive-dir'], env, storePath);
  if (command === 'backup' && arg) return backupCommand(storeLocation(values.store, env), arg, values.force ?? false, out, archiveDirOf);
  if (command === 'restore' && arg) return restoreCommand(arg, { dataDir: values['data-dir'], location: storeLocation(values.store, env) }, values.force ?? false, out, archiveDirOf);
  if (command === 'adapter') {
    if (arg !== 'check' || !target) throw new CliError(USAGE);
    // Required here only: it brings puppeteer and the adapters, which replay and audit never need.
    // (A dynamic import() would be an ES module import under node16 resolution, and this CLI runs as CommonJS.)
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { adapterCheckCommand } = require('./adapter-check-command') as typeof import('./adapter-check-command');
    const check = { adapter: target, options: values.options, payload: values.payload, credentialsRef: values['credentials-ref'], secretsFile: values['secrets-file'], captcha: values.captcha, out: values.out };
    return adapterCheckCommand(check, env, { out, err: (line: string) => void io.stderr.write(`${line}\n`), terminal: { input: io.stdin, output: io.stderr } });
  }
  const to = values.to === undefined ? undefined : Number(values.to);
  if (to !== undefined && (!Number.isInteger(to) || to < 1)) throw new CliError('--to must be a version number >= 1');
  if (command === 'archive') {
    if (arg !== undefined) throw new CliError(USAGE);
    const olderThan = parseDuration(values['older-than'], '--older-than');
    const location = storeLocation(values.store, env);
    // Every worker on a shared PostgreSQL store reads archived jobs from its own DATA_DIR/archive: no default folder here.
    if (POSTGRES_URL.test(location) && values['archive-dir'] === undefined && !env.DATA_DIR) {
      throw new CliError('archiving a PostgreSQL store needs --archive-dir (or DATA_DIR): a folder every worker reads as its DATA_DIR/archive; nothing was changed');
    }
    const { store, description } = await openStoreForReading(location);
    try {
      return await archiveCommand(jobArchive(store, archiveDirFor(values['archive-dir'], env, description)), olderThan, values['dry-run'] ?? false, out);
    } finally {
      await store.close();
    }
  }
  if (command === 'migrate') {
    if (arg !== undefined || (values['dry-run'] ?? false) === (values.apply ?? false)) throw new CliError('migrate needs exactly one of --dry-run and --apply');
    const { store } = await openStoreForReading(storeLocation(values.store, env));
    try {
      return await migrateCommand(store, ENGINE_MACHINES, values.apply ?? false, new SystemClock(), out, (line) => void io.stderr.write(`${line}\n`));
    } finally {
      await store.close();
    }
  }
  const run = commandFor(command, arg, to, values.format, values.full ?? false, values['archive-dir'], env, io);
  const { store, description } = await openStoreForReading(storeLocation(values.store, env));
  try {
    return await run(store, description);
  } finally {
    await store.close();
  }
}

function commandFor(
  command: string,
  arg: string | undefined,
  to: number | undefined,
  format: string | undefined,
  full: boolean,
  archiveDir: string | undefined,
  env: NodeJS.ProcessEnv,
  io: CliIo,
): (store: EventStore, storePath: string) => Promise<number> {
  const out = (line: string) => void io.stdout.write(`${line}\n`);
  const err = (line: string) => void io.stderr.write(`${line}\n`);
  if (command === 'replay' && arg) return (store) => replayCommand(store, ENGINE_MACHINES, arg, to, out, full);
  if (command === 'audit' && arg === 'verify') {
    return (store, storePath) =>
      auditVerifyCommand(store, ENGINE_MACHINES, progressOn(io.stderr, 'replaying streams'), out, err, jobArchive(store, archiveDirFor(archiveDir, env, storePath)));
  }
  if (command === 'export' && arg) return (store) => exportCommand(store, arg, format ?? '', (chunk) => writeRespectingBackpressure(io.stdout, chunk));
  throw new CliError(USAGE);
}

/** Large exports must not buffer the whole stream in memory when stdout is slower than the store. */
function writeRespectingBackpressure(stream: NodeJS.WritableStream, chunk: string): Promise<void> {
  return stream.write(chunk) ? Promise.resolve() : new Promise((resolve) => stream.once('drain', () => resolve()));
}

if (require.main === module) {
  void cliMain(process.argv.slice(2)).then((code) => (process.exitCode = code));
}
