/**
 * The HTTP server that faces the internet (`conjecture serve`): bounded waits for a request's
 * headers and for the whole request, so slow clients (slow-loris headers or bodies) cannot hold
 * sockets open, and a request Node refuses before any handler sees it (malformed, headers too large,
 * too slow) gets a 4xx in the API's error shape and one warn line — never an unhandled error.
 */
import { createServer, type RequestListener, type Server } from 'node:http';
import type { Socket } from 'node:net';
import type { Logger } from '../core/log.ts';

export interface PublicServerOptions {
  /** All headers must arrive within this (`server.headersTimeoutMs`). */
  headersTimeoutMs: number;
  /** The whole request must arrive within this (`server.requestTimeoutMs`). */
  requestTimeoutMs: number;
  logger: Logger;
}

export function createPublicServer(handler: RequestListener, options: PublicServerOptions): Server {
  const server = createServer(
    {
      headersTimeout: options.headersTimeoutMs,
      requestTimeout: options.requestTimeoutMs,
      // Node checks the two timeouts on this interval (30 s by default): often enough to hold them.
      connectionsCheckingInterval: Math.max(100, Math.min(1_000, options.headersTimeoutMs / 4)),
    },
    handler,
  );
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Socket) =>
    refuseClient(err, socket, options.logger),
  );
  return server;
}

const GONE = new Set(['ECONNRESET', 'EPIPE', 'HPE_INVALID_EOF_STATE']);

const REFUSALS: Record<string, [number, string, string]> = {
  ERR_HTTP_REQUEST_TIMEOUT: [408, 'request_timeout', 'the request did not arrive in time'],
  HPE_HEADER_OVERFLOW: [431, 'headers_too_large', 'the request headers are too large'],
};

function refuseClient(err: NodeJS.ErrnoException, socket: Socket, logger: Logger): void {
  // A peer that went away mid-request is routine on the internet: nothing to answer, little to say
  // (a handler that was reading the body has already logged it, with the delivery id).
  if (GONE.has(err.code ?? '') || !socket.writable) {
    logger.debug({ code: err.code }, 'client connection reset');
    socket.destroy();
    return;
  }
  const [status, code, message] = REFUSALS[err.code ?? ''] ?? [
    400,
    'bad_request',
    'the request is not valid HTTP',
  ];
  logger.warn(
    { status, code, cause: err.code, remote: socket.remoteAddress },
    `HTTP request refused: ${message}`,
  );
  const body = `${JSON.stringify({ error: { code, message } })}\n`;
  // As Node does without a listener: answer only when nothing was written on this connection yet,
  // then destroy it, so no more of the request is read (and no handler acts on it half-refused).
  if (socket.bytesWritten === 0)
    socket.write(
      `HTTP/1.1 ${status} ${code}\r\nconnection: close\r\ncontent-type: application/json; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
  socket.destroy();
}
