#!/usr/bin/env bash
# The demo: sets up what is missing, builds the server, runs a batch of 20 proposals against
# the portal simulator on SQLite in ./data, then keeps serving until Ctrl-C (--once: exit).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
npx nest build server >/dev/null
exec node -r ./scripts/ts-run.js scripts/demo.ts "$@"
