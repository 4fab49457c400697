/**
 * A small Docker Engine API client over the unix socket. Only what the sandbox needs: JSON calls,
 * and a hijacked `attach` stream (the sandbox's executor reads commands from the container's stdin).
 * https://docs.docker.com/reference/api/engine/
 */
import { request as httpRequest } from 'node:http';
import type { Duplex } from 'node:stream';
import { SandboxError } from '../core/errors.ts';

export interface DockerApi {
  readonly socketPath: string;
  call<T = unknown>(
    method: string,
    path: string,
    body?: unknown,
    options?: { timeoutMs?: number; okStatuses?: number[] },
  ): Promise<{ status: number; body: T }>;
  attach(containerId: string): Promise<Duplex>;
}

export const DOCKER_HINT =
  'start the Docker daemon (`dockerd --bridge=none --iptables=false`, or run scripts/setup.sh) or set sandbox.dockerSocket';

export function createDockerApi(socketPath: string): DockerApi {
  let prefix: Promise<string> | undefined;

  function raw(
    method: string,
    path: string,
    body: unknown,
    timeoutMs: number,
  ): Promise<{ status: number; text: string }> {
    return new Promise((resolve, reject) => {
      const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
      const req = httpRequest(
        {
          socketPath,
          method,
          path,
          headers: {
            'content-type': 'application/json',
            ...(payload ? { 'content-length': payload.length } : {}),
          },
          timeout: timeoutMs,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () =>
            resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }),
          );
        },
      );
      req.on('timeout', () =>
        req.destroy(new Error(`Docker API ${method} ${path} timed out after ${timeoutMs} ms`)),
      );
      req.on('error', (err: NodeJS.ErrnoException) => {
        const unavailable = err.code === 'ENOENT' || err.code === 'ECONNREFUSED' || err.code === 'EACCES';
        reject(
          new SandboxError(
            unavailable
              ? `Docker is not reachable at ${socketPath} (${err.code})`
              : `Docker API error: ${err.message}`,
            {
              code: unavailable ? 'docker_unavailable' : 'docker_api',
              retryable: !unavailable,
              hint: unavailable ? DOCKER_HINT : undefined,
              cause: err,
            },
          ),
        );
      });
      req.end(payload);
    });
  }

  function versionPrefix(): Promise<string> {
    prefix ??= raw('GET', '/version', undefined, 10_000).then((r) => {
      const version = (JSON.parse(r.text) as { ApiVersion?: string }).ApiVersion;
      return version ? `/v${version}` : '';
    });
    prefix.catch(() => {
      prefix = undefined;
    });
    return prefix;
  }

  return {
    socketPath,
    async call<T>(
      method: string,
      path: string,
      body?: unknown,
      options: { timeoutMs?: number; okStatuses?: number[] } = {},
    ) {
      const res = await raw(method, `${await versionPrefix()}${path}`, body, options.timeoutMs ?? 60_000);
      const text = res.text.trimStart();
      const parsed = text.startsWith('{') || text.startsWith('[') ? JSON.parse(text) : res.text;
      const ok = res.status < 300 || (options.okStatuses ?? []).includes(res.status);
      if (!ok) {
        const message =
          typeof parsed === 'object' && parsed && 'message' in parsed ? String(parsed.message) : res.text;
        throw new SandboxError(`Docker API ${method} ${path}: ${res.status} ${message}`, {
          code: res.status === 404 ? 'docker_not_found' : 'docker_api',
          retryable: res.status >= 500,
        });
      }
      return { status: res.status, body: parsed as T };
    },
    async attach(containerId: string) {
      const path = `${await versionPrefix()}/containers/${containerId}/attach?stream=1&stdin=1&stdout=1&stderr=1`;
      return new Promise<Duplex>((resolve, reject) => {
        const req = httpRequest({
          socketPath,
          method: 'POST',
          path,
          headers: {
            Connection: 'Upgrade',
            Upgrade: 'tcp',
            'content-type': 'application/vnd.docker.raw-stream',
          },
        });
        req.on('upgrade', (_res, socket) => resolve(socket));
        req.on('response', (res) =>
          reject(new SandboxError(`Docker attach failed: ${res.statusCode}`, { code: 'docker_api' })),
        );
        req.on('error', (err) =>
          reject(
            new SandboxError(`Docker attach failed: ${err.message}`, {
              code: 'docker_unavailable',
              hint: DOCKER_HINT,
              cause: err,
            }),
          ),
        );
        req.end();
      });
    },
  };
}

/**
 * Splits Docker's multiplexed attach stream (8-byte header: stream type, 3 zero bytes, big-endian
 * length) into stdout and stderr chunks.
 */
export function createDemuxer(
  onStdout: (chunk: Buffer) => void,
  onStderr: (chunk: Buffer) => void,
): (data: Buffer) => void {
  let pending: Buffer = Buffer.alloc(0);
  return (data) => {
    pending = pending.length ? Buffer.concat([pending, data]) : data;
    while (pending.length >= 8) {
      const size = pending.readUInt32BE(4);
      if (pending.length < 8 + size) break;
      const payload = pending.subarray(8, 8 + size);
      if (pending[0] === 2) onStderr(payload);
      else onStdout(payload);
      pending = pending.subarray(8 + size);
    }
  };
}
