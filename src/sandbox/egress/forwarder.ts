/**
 * The container side of the setup network: a tiny node relay from 127.0.0.1:EGRESS_PORT (the only
 * interface a `--network none` container has is `lo`) to the host proxy's unix socket, bind-mounted
 * read-only with the script at EGRESS_MOUNT. Package managers find it through the usual proxy
 * variables. The relay is started by each setup command and dies with it (the executor kills
 * everything after a command).
 */
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { SandboxError } from '../../core/errors.ts';
import type { Logger } from '../../core/log.ts';
import { parseAllowEntry } from './allow-list.ts';
import { startEgressProxy } from './proxy.ts';

export const EGRESS_MOUNT = '/run/conjecture-egress';
export const EGRESS_PORT = 47128;
const SCRIPT = 'forward.cjs';
const SOCKET = 's';

const FORWARDER_SCRIPT = `'use strict';
const net = require('node:net');
const [port, socketPath] = process.argv.slice(2);
net
  .createServer((client) => {
    const up = net.connect(socketPath);
    client.pipe(up).pipe(client);
    client.on('error', () => up.destroy());
    up.on('error', () => client.destroy());
  })
  .listen(Number(port), '127.0.0.1');
`;

const PROXY_URL = `http://127.0.0.1:${EGRESS_PORT}`;

/** Proxy settings every common installer reads (npm, yarn, pip, git, go, cargo, curl). */
export const EGRESS_ENV: Record<string, string> = {
  HTTP_PROXY: PROXY_URL,
  HTTPS_PROXY: PROXY_URL,
  http_proxy: PROXY_URL,
  https_proxy: PROXY_URL,
  npm_config_proxy: PROXY_URL,
  npm_config_https_proxy: PROXY_URL,
  YARN_HTTP_PROXY: PROXY_URL,
  YARN_HTTPS_PROXY: PROXY_URL,
  PIP_PROXY: PROXY_URL,
};

/** Starts the relay in the background and waits (up to 5 s) until it listens. */
export function withForwarder(command: string): string {
  return [
    `if command -v node >/dev/null; then node ${EGRESS_MOUNT}/${SCRIPT} ${EGRESS_PORT} ${EGRESS_MOUNT}/${SOCKET} </dev/null >/dev/null 2>&1 & disown`,
    `for ((_conj_i = 0; _conj_i < 100; _conj_i++)); do (exec 3<>/dev/tcp/127.0.0.1/${EGRESS_PORT}) 2>/dev/null && break; sleep 0.05; done`,
    `else echo "conjecture: the setup network needs node in the sandbox image" >&2; fi`,
    command,
  ].join('\n');
}

export interface Egress {
  /** `host:container:ro` for the container's Binds. */
  bind: string;
  close(): Promise<void>;
}

/** Checks the allow-list before anything starts, so a bad entry is a configuration error. */
export function parseAllowList(allow: string[]) {
  try {
    return allow.map(parseAllowEntry);
  } catch (err) {
    throw new SandboxError(`sandbox.setupAllow: ${(err as Error).message}`, {
      code: 'config_invalid',
      cause: err,
      hint: 'fix sandbox.setupAllow (host[:port] entries)',
    });
  }
}

/**
 * Opens the proxy for one setup sandbox. Its directory sits beside the workspace, because that is a
 * path the Docker daemon can bind (in Kubernetes the state volume is shared with the Docker sidecar).
 */
export async function openEgress(hostWorkspace: string, allow: string[], logger: Logger): Promise<Egress> {
  const entries = parseAllowList(allow);
  const dir = await mkdtemp(join(dirname(hostWorkspace), '.egress-'));
  const socketPath = join(dir, SOCKET);
  if (Buffer.byteLength(socketPath) > 100) {
    await rm(dir, { recursive: true, force: true });
    throw new SandboxError(`the egress socket path ${socketPath} is too long for a unix socket`, {
      code: 'egress_path',
      hint: 'use a shorter state directory (stateDir)',
    });
  }
  try {
    // mkdtemp makes it 0700; the sandbox user must reach the socket and the script.
    await chmod(dir, 0o755);
    await writeFile(join(dir, SCRIPT), FORWARDER_SCRIPT, { mode: 0o644 });
    const proxy = await startEgressProxy({ socketPath, allow: entries, logger });
    return {
      bind: `${dir}:${EGRESS_MOUNT}:ro`,
      async close() {
        await proxy.close();
        await rm(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
}
