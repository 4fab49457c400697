#!/usr/bin/env bash
# The one test command (README, `npm test` and .ci/run all call this): sets the machine up, then
# type-checks, lints and runs every unit and integration test. Extra arguments go to vitest.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
bash scripts/setup.sh
source scripts/env.sh
echo "[test] typecheck"; tsc -p tsconfig.json
echo "[test] lint"; biome check .
mkdir -p .conjecture
echo "[test] vitest"
status=0
vitest run --reporter=default --reporter=json --outputFile=.conjecture/vitest.json "$@" || status=$?
node -e '
  const r = require("./.conjecture/vitest.json");
  const skipped = r.numPendingTests + r.numTodoTests;
  console.log(`${r.numPassedTests} passed, ${r.numFailedTests} failed, ${skipped} skipped`);
' || true
exit $status
