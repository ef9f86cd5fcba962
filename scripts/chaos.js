// `npm run chaos [-- --full] [jest options]`: the chaos test and the multi-worker scale-out test
// on their own. Without --full they run at the size CI runs them (40 jobs and 3 engine kills;
// 45 jobs over 3 workers); --full sets CHAOS_FULL=1 for the full-size runs (200 jobs and 5
// kills; 300 jobs), whose figures are in BENCHMARKS.md.
const { spawnSync } = require('node:child_process');
const path = require('node:path');

const args = process.argv.slice(2);
const full = args.includes('--full');
const rest = args.filter((arg) => arg !== '--full');
const env = { ...process.env };
if (full) env.CHAOS_FULL = '1';
const result = spawnSync(
  process.execPath,
  [require.resolve('jest/bin/jest'), '--runInBand', 'test/chaos/chaos.e2e.spec.ts', 'test/scale-out/multi-worker.e2e.spec.ts', ...rest],
  { cwd: path.join(__dirname, '..'), env, stdio: 'inherit' },
);
process.exit(result.status ?? 1);
