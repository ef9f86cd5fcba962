// `npm run bench [-- <name> ...]`: runs every benchmark, or the named ones, one after another,
// each in its own process with the transpile-only runner (no type check at start). Each
// benchmark measures its baseline in the same run and rewrites its own section of BENCHMARKS.md;
// this prints which ran, how long each took and whether it succeeded, and exits non-zero if one
// failed. Sequential on purpose: two benchmarks sharing the cores would measure each other.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(__dirname, '..');

/** Fastest first, so a broken setup shows early. */
const BENCHMARKS = [
  'event-store',
  'restore',
  'snapshot-restore',
  'jobs',
  'job-search',
  'backup',
  'portal-sim',
  'event-store-pg',
  'fencing-pg',
  'clone',
  'inspector',
  'real-portal',
  'vs-naive',
  'scale-out',
  'chaos',
] as const;

function main(argv: string[]): number {
  const unknown = argv.filter((name) => !(BENCHMARKS as readonly string[]).includes(name));
  if (unknown.length > 0) {
    process.stderr.write(`unknown benchmark ${unknown.join(', ')}; known: ${BENCHMARKS.join(', ')}\n`);
    return 2;
  }
  const chosen = argv.length > 0 ? argv : [...BENCHMARKS];
  const rows: string[] = [];
  let failed = 0;
  for (const name of chosen) {
    process.stdout.write(`== bench/${name}.ts\n`);
    const started = Date.now();
    const result = spawnSync(process.execPath, ['-r', join(ROOT, 'scripts/ts-run.js'), join(ROOT, 'bench', `${name}.ts`)], { cwd: ROOT, stdio: 'inherit' });
    const ok = result.status === 0;
    if (!ok) failed += 1;
    rows.push(`${name.padEnd(16)} ${ok ? 'ok    ' : `FAILED (${result.signal ?? `exit ${result.status}`})`} ${((Date.now() - started) / 1000).toFixed(0).padStart(5)} s`);
  }
  process.stdout.write(`\nbenchmark        result  time\n${rows.join('\n')}\nfigures: BENCHMARKS.md (each benchmark rewrote its own section)\n`);
  return failed > 0 ? 1 : 0;
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
