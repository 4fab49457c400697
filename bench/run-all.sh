#!/usr/bin/env bash
# Runs every benchmark in turn; each prints its figures and a ratio against a baseline measured in
# the same run, and exits non-zero when it misses its target. Needs Docker (scripts/setup.sh).
set -u
cd "$(dirname "$0")/.."
source scripts/env.sh
status=0
for bench in bench/sandbox-exec.ts bench/workspace.ts bench/agent-overhead.ts bench/prefix-cache.ts bench/intake/main.ts bench/intake/abuse-soak.ts bench/embedded.ts; do
  [ -f "$bench" ] || continue
  echo "== $bench"
  node "$bench" || status=1
done
exit $status
