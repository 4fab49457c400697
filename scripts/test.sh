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
rm -f .conjecture/vitest.json
tree_state() { git status --porcelain --untracked-files=all 2>/dev/null || true; }
before=$(tree_state)
echo "[test] vitest"
status=0
vitest run --reporter=default --reporter=json --outputFile=.conjecture/vitest.json "$@" || status=$?
# Tests write only to temp dirs and ignored paths: a run that changes the checkout is a bug (in CI, a failure).
after=$(tree_state)
if [ "$before" != "$after" ]; then
  echo "[test] the test run changed the checkout (git status before/after):"
  diff <(printf '%s\n' "$before") <(printf '%s\n' "$after") | sed -n 's/^[<>] /  /p' || true
  if [ -n "${CI:-}" ] && [ "${CI}" != "false" ] && [ "${CI}" != "0" ] && [ "$status" -eq 0 ]; then status=1; fi
fi
# The closing line ("N passed, N failed, N skipped") counts skipped tests and files that ran no
# test; under CI (CI=true, as .ci/run sets it) anything skipped fails the run, listed by name.
summary=0
node test/support/run-summary.ts .conjecture/vitest.json || summary=$?
if [ "$status" -eq 0 ]; then status=$summary; fi
exit "$status"
