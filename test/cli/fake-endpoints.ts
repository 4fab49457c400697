/**
 * Stand-ins for what `doctor` talks to, on loopback only: a Docker Engine answering on a unix
 * socket in a temp dir, and an OpenAI-compatible server on 127.0.0.1 listing some models.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { tempDir } from './run-cli.ts';

export interface Running {
  close(): Promise<void>;
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });
}

/** Answers /_ping, and /images/<name>/json for the listed images only (404 otherwise, like Docker). */
export async function startFakeDocker(images: string[]): Promise<Running & { socket: string }> {
  const socket = join(tempDir('conjecture-docker-'), 'docker.sock');
  const server = createServer((req, res) => {
    const path = decodeURIComponent((req.url ?? '').split('?')[0] ?? '');
    if (path === '/_ping') return void res.writeHead(200, { 'content-type': 'text/plain' }).end('OK');
    const image = /^\/images\/(.+)\/json$/.exec(path)?.[1];
    if (image && images.includes(image))
      return void res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ Size: 5e8 }));
    res
      .writeHead(404, { 'content-type': 'application/json' })
      .end(JSON.stringify({ message: `No such image: ${image ?? path}` }));
  });
  await new Promise<void>((resolve) => server.listen(socket, resolve));
  return { socket, close: () => closeServer(server) };
}

export async function startFakeModelServer(models: string[]): Promise<Running & { baseUrl: string }> {
  const server = createServer((req, res) => {
    if (req.method === 'GET' && req.url === '/v1/models') {
      const data = models.map((id) => ({ id, object: 'model', created: 0, owned_by: 'test' }));
      return void res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ object: 'list', data }));
    }
    res.writeHead(404).end('404 page not found');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { baseUrl: `http://127.0.0.1:${port}/v1`, close: () => closeServer(server) };
}

/** A loopback URL nothing listens on: bind a port, then release it. */
export async function closedPortUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await closeServer(server);
  return `http://127.0.0.1:${port}/v1`;
}
