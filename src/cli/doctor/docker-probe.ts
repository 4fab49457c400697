/**
 * One GET against the Docker Engine API over its unix socket, for doctor only: bounded by a signal
 * and unversioned (`/_ping` and `/images/<name>/json` are stable). The sandbox's full client lives
 * in src/sandbox/docker-api.ts; this stays separate so a hung daemon cannot hold doctor for its
 * longer internal timeouts.
 */
import { request } from 'node:http';
import { SandboxError } from '../../core/errors.ts';
import { DOCKER_HINT } from '../../sandbox/docker-api.ts';

export interface DockerReply {
  status: number;
  body: string;
}

export function dockerGet(socketPath: string, path: string, signal: AbortSignal): Promise<DockerReply> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath, path, method: 'GET', signal }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
      );
      res.on('error', reject);
    });
    req.on('error', (err: NodeJS.ErrnoException) => reject(unreachable(socketPath, err)));
    req.end();
  });
}

function unreachable(socketPath: string, err: NodeJS.ErrnoException): SandboxError {
  const code = err.code ?? err.name;
  const hint =
    code === 'EACCES'
      ? `let this user use ${socketPath} (add it to the docker group) or set sandbox.dockerSocket`
      : DOCKER_HINT;
  return new SandboxError(`Docker is not reachable at ${socketPath} (${code})`, {
    code: 'docker_unavailable',
    hint,
    cause: err,
  });
}
