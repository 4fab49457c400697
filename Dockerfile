# Conjecture's app/worker image: `docker build -t conjecture:0.1.0 .`
# (where the default bridge network is disabled, as on our build machines: add --network host).
# Works with the classic builder and BuildKit alike (no registry needed for a frontend image).
# The same image runs `serve` (the default command) and `worker`; see docker-compose.yml and
# deploy/k8s/. A local image may stand in for the base under the same tag (NODE_IMAGE).
ARG NODE_IMAGE=node:24-bookworm-slim

FROM ${NODE_IMAGE} AS build
# Optional dependencies are left out: most of them are the embedded model's prebuilt llama.cpp
# binaries for every GPU and platform (~700 MB), the rest native speed-ups with JS fallbacks.
# node-llama-cpp itself is an optional peer of the package (a devDependency here); the image keeps
# it, with only the CPU binary for its own platform (~30 MB), so `model.provider: embedded` works
# in the image without a first-use install; the usual setup talks to a model server (Compose:
# Ollama) instead.
# `--build-arg NPM_CI_FLAGS=` keeps every optional dependency.
ARG NPM_CI_FLAGS=--omit=optional
# Only behind a TLS-intercepting proxy: its CA certificates as PEM text, for npm in this stage. A
# build arg is recorded in the history of the stage that uses it; the runtime stage never sees it.
ARG NPM_EXTRA_CA=""
WORKDIR /src
COPY package.json package-lock.json ./
# No install scripts: no dependency the image uses needs one. A platform-only optional dependency
# missing from the lock makes `npm ci` refuse a lock that `npm install` accepts unchanged (as
# scripts/setup.sh does, fall back to it). The CPU binary is fetched as a tarball at the version
# node-llama-cpp pins, and unpacked after `npm prune` (which would remove it as extraneous; prune
# runs offline: with optional dependencies omitted it otherwise stalls on the registry for minutes).
RUN if [ -n "$NPM_EXTRA_CA" ]; then \
      printf '%s\n' "$NPM_EXTRA_CA" >/tmp/extra-ca.pem && export NODE_EXTRA_CA_CERTS=/tmp/extra-ca.pem; \
    fi \
  && { npm ci --no-audit --no-fund --ignore-scripts $NPM_CI_FLAGS \
       || npm install --no-audit --no-fund --ignore-scripts $NPM_CI_FLAGS; } \
  && mkdir -p /src/.llama \
  && spec=$(node -p "const p = require('./node_modules/node-llama-cpp/package.json'), n = '@node-llama-cpp/linux-' + process.arch; p.optionalDependencies[n] ? n + '@' + p.optionalDependencies[n] : ''" 2>/dev/null || true) \
  && if [ -n "$spec" ]; then npm pack --silent --pack-destination /src/.llama "$spec"; fi \
  && rm -f /tmp/extra-ca.pem
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
# node-llama-cpp becomes a dependency of the image's copy of the package before pruning, so the
# prune keeps it (and its own dependencies, at the versions it needs) and nothing else of dev's.
RUN npm run build \
  && llama=$(node -p "require('./package.json').devDependencies['node-llama-cpp']") \
  && npm pkg set "dependencies.node-llama-cpp=$llama" && npm pkg delete devDependencies.node-llama-cpp \
  && npm prune --omit=dev $NPM_CI_FLAGS --offline --ignore-scripts --no-audit --no-fund \
  && for t in /src/.llama/*.tgz; do \
       [ -e "$t" ] || continue; \
       d="node_modules/@node-llama-cpp/$(basename "$t" | sed -E 's/^node-llama-cpp-(.*)-[0-9][^-]*\.tgz$/\1/')"; \
       mkdir -p "$d" && tar -xzf "$t" --strip-components=1 -C "$d"; \
     done

FROM ${NODE_IMAGE} AS runtime
ARG VERSION=0.1.0
ARG REVISION=unknown
ARG SOURCE=https://github.com/conjecture-dev/conjecture
LABEL org.opencontainers.image.title="conjecture" \
      org.opencontainers.image.description="Turns a GitHub issue into a tested pull request with a small local model" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.source="${SOURCE}" \
      org.opencontainers.image.licenses="Apache-2.0"
# git: the worker's checkouts and patch extraction run on this side; tini: PID 1 that forwards
# SIGTERM to node and reaps git's children.
RUN apt-get update \
  && apt-get install -y --no-install-recommends git ca-certificates tini \
  && rm -rf /var/lib/apt/lists/* \
  && install -d -o node -g node /var/lib/conjecture
WORKDIR /app
COPY --from=build /src/package.json /src/package-lock.json ./
COPY --from=build /src/node_modules ./node_modules
COPY --from=build /src/dist ./dist
COPY bin ./bin
COPY prompts ./prompts
ENV NODE_ENV=production \
    CONJECTURE_STATE_DIR=/var/lib/conjecture \
    CONJECTURE_SERVER_HOST=0.0.0.0 \
    CONJECTURE_SERVER_PORT=3000
# uid 1000, the same user the sandbox containers use, so checkouts need no chown.
USER node
EXPOSE 3000
STOPSIGNAL SIGTERM
# Liveness only (/healthz checks nothing outside the process); readiness is /readyz.
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.CONJECTURE_SERVER_PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
ENTRYPOINT ["/usr/bin/tini", "--", "node", "/app/bin/conjecture.js"]
CMD ["serve"]
