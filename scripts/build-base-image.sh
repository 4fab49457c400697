#!/usr/bin/env bash
# Builds a local stand-in for `node:24-bookworm-slim` (the app image's base) where no image registry
# is reachable: a minimal Debian root filesystem made with debootstrap, Node.js and npm from the npm
# registry's `node` and `npm` packages, and the official image's `node` user (uid/gid 1000), then
# `docker import`ed under the same tag. Like the official slim image it has no ca-certificates
# package (Node carries its own roots); the app's Dockerfile installs what it needs.
# Idempotent: does nothing when the tag exists (pass --force to rebuild). The debootstrap result is
# cached as a tarball, so a forced rebuild only re-adds Node.
#   usage: scripts/build-base-image.sh [--force] [--tag node:24-bookworm-slim]
#   env:   CONJECTURE_ROOTFS_CACHE (default /var/cache/conjecture)
set -euo pipefail

tag="node:24-bookworm-slim"
kind=base
source "$(dirname "$0")/image-common.sh" "$@"

node_major=$(sed -E 's/^node:([0-9]+).*/\1/' <<<"$tag")
[[ "$node_major" =~ ^[0-9]+$ ]] || node_major=24
suite=bookworm

cache_dir="${CONJECTURE_ROOTFS_CACHE:-/var/cache/conjecture}"
cache="$cache_dir/rootfs-$suite-minbase.tar"
mkdir -p "$cache_dir"
work=$(mktemp -d /var/tmp/conjecture-base.XXXXXX)
trap 'rm -rf "$work"' EXIT
rootfs="$work/rootfs"
mkdir -p "$rootfs"

if [ -f "$cache" ]; then
  echo "reusing the cached root filesystem $cache"
  tar -C "$rootfs" -xf "$cache"
else
  echo "debootstrap $suite (minbase) into $rootfs"
  debootstrap --variant=minbase "$suite" "$rootfs" "$mirror" >"$work/debootstrap.log" 2>&1 \
    || { tail -n 30 "$work/debootstrap.log" >&2; exit 1; }
  rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
  tar -C "$rootfs" -cf "$cache.tmp" . && mv "$cache.tmp" "$cache"
fi

echo "adding Node.js $node_major and npm from the npm registry"
npm install --silent --no-audit --no-fund --prefix "$work/node" "node@$node_major" "npm@11" >/dev/null
node_bin=$(find "$work/node/node_modules" -path '*/bin/node' -type f | head -n1)
[ -x "$node_bin" ] || { echo "node binary not found in the npm package" >&2; exit 1; }
node_version=$("$node_bin" --version)
install -m 0755 "$node_bin" "$rootfs/usr/local/bin/node"
mkdir -p "$rootfs/usr/local/lib/node_modules"
rm -rf "$rootfs/usr/local/lib/node_modules/npm"
cp -a "$work/node/node_modules/npm" "$rootfs/usr/local/lib/node_modules/npm"
ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$rootfs/usr/local/bin/npm"
ln -sf ../lib/node_modules/npm/bin/npx-cli.js "$rootfs/usr/local/bin/npx"

# The official image's user: the app's Dockerfile runs as `node` and chowns to it.
chroot "$rootfs" /usr/sbin/groupadd -g 1000 node
chroot "$rootfs" /usr/sbin/useradd -u 1000 -g node -m -d /home/node -s /bin/bash node

echo "docker import as $tag"
tar -C "$rootfs" -c . | docker import \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change "ENV NODE_VERSION=${node_version#v}" \
  --change 'CMD ["node"]' \
  --change "LABEL org.opencontainers.image.description=local-stand-in-for-$tag" \
  - "$tag" >/dev/null
docker run --rm --network none "$tag" sh -c 'node --version && npm --version && id node'
echo "built $tag"
