/**
 * The host side of the setup phase's network (THREATS.md #25): an HTTP proxy on a unix socket that
 * is bind-mounted into the setup container, which itself has `--network none`. It serves CONNECT
 * (HTTPS) and absolute-URI requests (plain HTTP), only to destinations on the allow-list; it
 * resolves names itself and connects to the address it checked, so neither a rebinding name nor a
 * literal can reach loopback, private, link-local or metadata addresses unless the operator listed
 * them. Bounded: a connection cap, an idle timeout, and a header size limit.
 */
import { lookup } from 'node:dns/promises';
import { chmod } from 'node:fs/promises';
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import { connect, isIP, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Logger } from '../../core/log.ts';
import { type AllowEntry, addressAllowed, matchEntry } from './allow-list.ts';

export interface EgressProxy {
  readonly socketPath: string;
  close(): Promise<void>;
}

const MAX_CONNECTIONS = 64;
const IDLE_MS = 120_000;
const HOP_BY_HOP = [
  'proxy-authorization',
  'proxy-connection',
  'connection',
  'keep-alive',
  'upgrade',
  'te',
  'trailer',
];

type Decision = { ok: true; address: string } | { ok: false; status: number; why: string };

async function decide(entries: AllowEntry[], host: string, port: number): Promise<Decision> {
  const entry = matchEntry(entries, host, port);
  if (!entry) return { ok: false, status: 403, why: `${host}:${port} is not in sandbox.setupAllow` };
  const bare = host.replace(/^\[|\]$/g, '');
  let addresses: string[];
  try {
    addresses = isIP(bare)
      ? [bare]
      : (await lookup(bare, { all: true, verbatim: true })).map((a) => a.address);
  } catch {
    return { ok: false, status: 502, why: `${host} does not resolve` };
  }
  // Every address must pass: a name resolving to one public and one private address is refused.
  const refused = addresses.find((a) => !addressAllowed(entry, a));
  if (refused || addresses.length === 0)
    return {
      ok: false,
      status: 403,
      why: `${host} resolves to ${refused ?? 'nothing'}, a loopback, private or link-local address not named in sandbox.setupAllow`,
    };
  return { ok: true, address: addresses[0] as string };
}

function splitHostPort(authority: string, defaultPort: number): { host: string; port: number } | null {
  const m = /^(\[[0-9a-fA-F:.]+\]|[^:[\]]+)(?::(\d{1,5}))?$/.exec(authority);
  if (!m) return null;
  const port = m[2] ? Number(m[2]) : defaultPort;
  return port >= 1 && port <= 65535 ? { host: m[1] as string, port } : null;
}

export async function startEgressProxy(options: {
  socketPath: string;
  allow: AllowEntry[];
  logger: Logger;
}): Promise<EgressProxy> {
  const { allow, logger } = options;
  const sockets = new Set<Duplex>();
  const track = (s: Duplex) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  };
  const refuse = (host: string, port: number, why: string) =>
    logger.warn({ host, port, why }, 'setup egress refused');

  const server = createServer({ maxHeaderSize: 16 * 1024 }, (req: IncomingMessage, res: ServerResponse) => {
    void forwardPlain(req, res);
  });
  server.maxConnections = MAX_CONNECTIONS;
  server.on('connection', (s: Socket) => {
    track(s);
    s.setTimeout(IDLE_MS, () => s.destroy());
  });

  async function forwardPlain(req: IncomingMessage, res: ServerResponse) {
    let url: URL;
    try {
      url = new URL(req.url ?? '');
    } catch {
      res.writeHead(400).end('conjecture egress: only absolute http:// URLs and CONNECT are served\n');
      return;
    }
    const target = url.protocol === 'http:' ? splitHostPort(url.host, 80) : null;
    if (!target) {
      res.writeHead(400).end('conjecture egress: only http:// URLs are forwarded; use CONNECT for https\n');
      return;
    }
    const verdict = await decide(allow, target.host, target.port);
    if (!verdict.ok) {
      refuse(target.host, target.port, verdict.why);
      res.writeHead(verdict.status).end(`conjecture egress: ${verdict.why}\n`);
      return;
    }
    const headers = { ...req.headers };
    for (const h of HOP_BY_HOP) delete headers[h];
    const upstream = httpRequest(
      {
        host: verdict.address,
        port: target.port,
        method: req.method,
        path: `${url.pathname}${url.search}`,
        headers: { ...headers, host: url.host },
        timeout: IDLE_MS,
      },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    upstream.on('timeout', () => upstream.destroy());
    upstream.on('error', () => {
      if (!res.headersSent) res.writeHead(502).end('conjecture egress: upstream failed\n');
      else res.destroy();
    });
    req.pipe(upstream);
  }

  server.on('connect', (req: IncomingMessage, client: Duplex, head: Buffer) => {
    track(client);
    client.on('error', () => client.destroy());
    void (async () => {
      const target = splitHostPort(req.url ?? '', 443);
      if (!target) {
        client.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\n\r\n');
        return;
      }
      const verdict = await decide(allow, target.host, target.port);
      if (!verdict.ok) {
        refuse(target.host, target.port, verdict.why);
        const body = `conjecture egress: ${verdict.why}\n`;
        client.end(
          `HTTP/1.1 ${verdict.status} Refused\r\ncontent-type: text/plain\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
        );
        return;
      }
      const upstream = connect({ host: verdict.address, port: target.port });
      track(upstream);
      upstream.setTimeout(IDLE_MS, () => upstream.destroy());
      upstream.on('error', () => {
        client.end('HTTP/1.1 502 Bad Gateway\r\nconnection: close\r\n\r\n');
      });
      upstream.on('connect', () => {
        client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        if (head.length) upstream.write(head);
        upstream.pipe(client);
        client.pipe(upstream);
        upstream.on('close', () => client.destroy());
        client.on('close', () => upstream.destroy());
      });
    })();
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.socketPath, () => resolve());
  });
  // The sandbox user (not the worker's) connects through the bind mount.
  await chmod(options.socketPath, 0o666);
  return {
    socketPath: options.socketPath,
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
