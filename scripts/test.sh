#!/usr/bin/env bash
# Sets everything up, then runs every check: type check, lint, and all jest tiers (unit,
# integration with SQLite/PostgreSQL/Chromium, end-to-end). Ends with `N passed, N failed`.
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh || exit 1

# The type check, the build's type check and the lint count as one check each in the summary.
status=0; checks_failed=0
echo "== type check (tsc --noEmit)"
npx tsc --noEmit -p tsconfig.json || { status=1; checks_failed=$((checks_failed + 1)); }
# The server's build (tsconfig.build.json, what the demo compiles) leaves test code out: a test
# helper outside the excluded folders breaks the demo, not the type check above.
echo "== build type check (tsc -p tsconfig.build.json --noEmit)"
npx tsc --noEmit -p tsconfig.build.json || { status=1; checks_failed=$((checks_failed + 1)); }
echo "== lint (eslint)"
npx eslint . || { status=1; checks_failed=$((checks_failed + 1)); }
echo "== tests (jest)"
mkdir -p test-output
rm -f test-output/jest.json
npx jest --ci --maxWorkers=2 --json --outputFile=test-output/jest.json "$@" || status=1
CHECKS_FAILED=$checks_failed node -e '
  const fs = require("fs");
  const checksFailed = Number(process.env.CHECKS_FAILED);
  if (!fs.existsSync("test-output/jest.json")) { console.log(`${3 - checksFailed} passed, ${checksFailed + 1} failed`); process.exit(1); }
  const r = JSON.parse(fs.readFileSync("test-output/jest.json", "utf8"));
  const skipped = r.numPendingTests + r.numTodoTests;
  if (skipped > 0) console.log(`${skipped} tests were skipped or todo: none may be`);
  if (r.numFailedTestSuites > 0) console.log(`${r.numFailedTestSuites} test suites failed`);
  const failed = r.numFailedTests + (r.numRuntimeErrorTestSuites || 0) + checksFailed;
  console.log(`${r.numPassedTests + 3 - checksFailed} passed, ${failed} failed`);
  process.exit(r.success && skipped === 0 && checksFailed === 0 ? 0 : 1);
' || status=1
exit $status
