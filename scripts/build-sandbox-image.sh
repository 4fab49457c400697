#!/usr/bin/env bash
# Builds the default sandbox image without any image registry: a Debian root filesystem made with
# debootstrap (git, build tools, python3 with pip, venv and pytest), Node.js from the npm registry's
# `node` package, then `docker import`.
# Idempotent: does nothing when the tag exists (pass --force to rebuild).
#   usage: scripts/build-sandbox-image.sh [--force] [--tag conjecture-sandbox:<version>]
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
version=$(sed -n 's/^ *"version": *"\([^"]*\)".*/\1/p' "$here/package.json" | head -n1)
tag="conjecture-sandbox:${version}"
kind=sandbox
# An image of this version built before pip and pytest joined it is rebuilt: the tag stays the
# package version, so its presence alone does not tell.
want=$tag
for ((i = 1; i < $#; i++)); do [ "${!i}" = --tag ] && { j=$((i + 1)); want=${!j}; }; done
if docker image inspect "$want" >/dev/null 2>&1 &&
  ! docker run --rm --network none "$want" python3 -m pytest --version >/dev/null 2>&1; then
  echo "$want lacks python3's pytest: rebuilding"
  set -- "$@" --force
fi
source "$here/scripts/image-common.sh" "$@"
suite=$(. /etc/os-release && echo "${VERSION_CODENAME:-bookworm}")

node_version="${CONJECTURE_SANDBOX_NODE:-24}"
work=$(mktemp -d /var/tmp/conjecture-rootfs.XXXXXX)
trap 'rm -rf "$work"' EXIT
rootfs="$work/rootfs"

echo "debootstrap $suite into $rootfs"
debootstrap --variant=minbase \
  --include=bash,ca-certificates,git,python3,python3-venv,python3-pip,python3-pytest,make,g++,procps,curl,patch,ripgrep,xz-utils,iproute2,less,file \
  "$suite" "$rootfs" "$mirror" >"$work/debootstrap.log" 2>&1 || { tail -n 30 "$work/debootstrap.log" >&2; exit 1; }

echo "adding Node.js $node_version and npm from the npm registry"
npm install --silent --prefix "$work/node" "node@$node_version" "npm@11" >/dev/null
node_bin=$(find "$work/node/node_modules" -path '*/bin/node' -type f | head -n1)
[ -x "$node_bin" ] || { echo "node binary not found in the npm package" >&2; exit 1; }
install -m 0755 "$node_bin" "$rootfs/usr/local/bin/node"
mkdir -p "$rootfs/usr/local/lib/node_modules"
cp -a "$work/node/node_modules/npm" "$rootfs/usr/local/lib/node_modules/npm"
ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$rootfs/usr/local/bin/npm"
ln -sf ../lib/node_modules/npm/bin/npx-cli.js "$rootfs/usr/local/bin/npx"

# An unprivileged user for the agent; the workspace is mounted at /workspace.
chroot "$rootfs" /usr/sbin/groupadd -g 1000 agent
chroot "$rootfs" /usr/sbin/useradd -u 1000 -g 1000 -m -s /bin/bash agent
mkdir -p "$rootfs/workspace" && chown 1000:1000 "$rootfs/workspace"
chroot "$rootfs" git config --system --add safe.directory '*'
rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*

echo "docker import as $tag"
tar -C "$rootfs" -c . | docker import \
  --change 'ENV PATH=/usr/local/bin:/usr/local/sbin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change 'ENV LANG=C.UTF-8' \
  --change 'USER 1000:1000' \
  --change 'WORKDIR /workspace' \
  --change 'CMD ["/bin/bash"]' \
  --change "LABEL org.opencontainers.image.title=conjecture-sandbox org.opencontainers.image.version=$version" \
  - "$tag" >/dev/null
docker run --rm --network none "$tag" bash -c 'node --version && git --version && python3 --version && python3 -m pip --version && python3 -m pytest --version && python3 -m venv --system-site-packages /tmp/v && /tmp/v/bin/pip --version && /tmp/v/bin/python -m pytest --version'
echo "built $tag"
