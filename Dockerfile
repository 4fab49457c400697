# syntax=docker/dockerfile:1
# Conjecture's app/worker image: `docker build -t conjecture:0.1.0 .`
# (where the default bridge network is disabled, as on our build machines: add --network host).
# The same image runs `serve` (the default command) and `worker`; see docker-compose.yml and
# deploy/k8s/. A local image may stand in for the base under the same tag (NODE_IMAGE).
ARG NODE_IMAGE=node:24-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /src
COPY package.json package-lock.json ./
# No install scripts: the only native addon (msgpackr-extract, via bullmq) has a JS fallback.
RUN npm ci --no-audit --no-fund --ignore-scripts
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build \
  && npm prune --omit=dev --ignore-scripts --no-audit --no-fund

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
