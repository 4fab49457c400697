#!/usr/bin/env bash
# Builds an evaluation image for SWE-bench's Python instances without any image registry, with the
# layout of the official instance images (`sweb.eval.x86_64.*`): the repository is expected at
# /testbed (the evaluator mounts the checkout there) and `source /opt/miniconda3/bin/activate &&
# conda activate testbed` enters its Python environment, so the harness's command lines run
# unchanged. The environment is Debian's python3 (3.11) in a virtualenv that sees the system's
# python3-pytest, python3-hypothesis and python3-mpmath — 1.3.0 from the next Debian release, the
# version SWE-bench's sympy spec pins (bookworm's 1.2.1 makes sympy 1.5's test_nthroot run for
# tens of minutes): enough for sympy's instances (../shared/swebench-py). `conda` here is a shell
# function that knows activate and deactivate.
# Idempotent: does nothing when the tag exists (pass --force to rebuild).
#   usage: scripts/build-swebench-py-image.sh [--force] [--tag conjecture-swebench-py:<n>]
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
# Bump the number when the image's contents change, so cached images are rebuilt.
tag="conjecture-swebench-py:2"
kind=evaluation
source "$here/scripts/image-common.sh" "$@"
suite=$(. /etc/os-release && echo "${VERSION_CODENAME:-bookworm}")

work=$(mktemp -d /var/tmp/conjecture-swebench-py.XXXXXX)
trap 'rm -rf "$work"' EXIT
rootfs="$work/rootfs"

echo "debootstrap $suite into $rootfs"
debootstrap --variant=minbase \
  --include=bash,ca-certificates,git,patch,procps,python3,python3-venv,python3-pip,python3-setuptools,python3-pytest,python3-hypothesis \
  "$suite" "$rootfs" "$mirror" >"$work/debootstrap.log" 2>&1 || { tail -n 30 "$work/debootstrap.log" >&2; exit 1; }

next=trixie
echo "adding mpmath 1.3.0 from $next"
echo "deb $mirror $next main" >"$rootfs/etc/apt/sources.list.d/$next.list"
printf 'Package: *\nPin: release n=%s\nPin-Priority: 100\n' "$next" >"$rootfs/etc/apt/preferences.d/$next"
chroot "$rootfs" apt-get update -qq >"$work/apt.log" 2>&1 || { tail -n 20 "$work/apt.log" >&2; exit 1; }
chroot "$rootfs" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
  -t "$next" python3-mpmath >>"$work/apt.log" 2>&1 || { tail -n 20 "$work/apt.log" >&2; exit 1; }
rm -f "$rootfs/etc/apt/sources.list.d/$next.list" "$rootfs/etc/apt/preferences.d/$next"

echo "adding the testbed environment"
chroot "$rootfs" python3 -m venv --system-site-packages /opt/miniconda3/envs/testbed
mkdir -p "$rootfs/opt/miniconda3/bin"
cat >"$rootfs/opt/miniconda3/bin/activate" <<'ACTIVATE'
# Sourced, as in conda: defines `conda activate ENV` / `conda deactivate` for the envs under
# /opt/miniconda3/envs (each a virtualenv); `base` is this directory itself.
conda() {
  case "${1:-}" in
    activate)
      local name="${2:-base}"
      if [ "$name" = base ]; then
        export CONDA_DEFAULT_ENV=base CONDA_PREFIX=/opt/miniconda3
        return 0
      fi
      if [ ! -f "/opt/miniconda3/envs/$name/bin/activate" ]; then
        echo "EnvironmentNameNotFound: Could not find conda environment: $name" >&2
        return 1
      fi
      . "/opt/miniconda3/envs/$name/bin/activate"
      export CONDA_DEFAULT_ENV="$name" CONDA_PREFIX="/opt/miniconda3/envs/$name"
      ;;
    deactivate)
      if command -v deactivate >/dev/null 2>&1; then deactivate; fi
      unset CONDA_DEFAULT_ENV CONDA_PREFIX
      ;;
    *)
      echo "conda: this image knows only 'conda activate ENV' and 'conda deactivate'" >&2
      return 1
      ;;
  esac
}
case ":$PATH:" in *:/opt/miniconda3/bin:*) ;; *) export PATH="/opt/miniconda3/bin:$PATH" ;; esac
conda activate base
ACTIVATE
ln -s ../envs/testbed/bin/python "$rootfs/opt/miniconda3/bin/python"

# The evaluator runs as uid 1000 and mounts the checkout at /testbed.
chroot "$rootfs" /usr/sbin/groupadd -g 1000 agent
chroot "$rootfs" /usr/sbin/useradd -u 1000 -g 1000 -m -s /bin/bash agent
mkdir -p "$rootfs/testbed" && chown 1000:1000 "$rootfs/testbed"
chroot "$rootfs" git config --system --add safe.directory '*'
rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*

echo "docker import as $tag"
tar -C "$rootfs" -c . | docker import \
  --change 'ENV PATH=/usr/local/bin:/usr/local/sbin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change 'ENV LANG=C.UTF-8' \
  --change 'USER 1000:1000' \
  --change 'WORKDIR /testbed' \
  --change 'CMD ["/bin/bash"]' \
  --change "LABEL org.opencontainers.image.title=conjecture-swebench-py" \
  - "$tag" >/dev/null
docker run --rm --network none "$tag" bash -c \
  'source /opt/miniconda3/bin/activate && conda activate testbed && python -c "import sys, mpmath, pytest, hypothesis; print(sys.prefix, sys.version.split()[0], mpmath.__version__, pytest.__version__); assert mpmath.__version__ == \"1.3.0\", mpmath.__version__"'
echo "built $tag"
