/**
 * Reading and writing HTTP messages for the API: bounded JSON bodies, JSON and text replies, and
 * one error shape (`{ error: { code, message, hint?, issues? } }`) for every failure.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

export const MAX_BODY_BYTES = 256 * 1024;

/** An expected HTTP failure; the handler turns it into the error body. */
export class HttpError extends Error {
  readonly status: number;
  readonly code: string;
  readonly hint: string | undefined;
  readonly issues: { path: string; message: string }[] | undefined;
  readonly headers: Record<string, string>;

  constructor(
    status: number,
    code: string,
    message: string,
    extra: {
      hint?: string;
      issues?: { path: string; message: string }[];
      headers?: Record<string, string>;
    } = {},
  ) {
    super(message);
    this.name = 'HttpError';
    this.status = status;
    this.code = code;
    this.hint = extra.hint;
    this.issues = extra.issues;
    this.headers = extra.headers ?? {};
  }
}

export interface ReadBodyOptions {
  /** The whole body must have arrived within this long (a slow-loris body is refused with 408). */
  timeoutMs?: number;
}

/**
 * The body's bytes, refusing bodies over `limit` bytes before buffering more than that (413; a
 * declared `Content-Length` over the limit is refused before reading anything). Every way a body can
 * fail to arrive — the client aborts or resets, it is too slow — is an `HttpError`, never a stream
 * error left unhandled: one bad request must not end the process (issue 14).
 */
export function readBody(
  req: IncomingMessage,
  limit = Number.POSITIVE_INFINITY,
  options: ReadBodyOptions = {},
): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) return Promise.reject(tooLarge(limit));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const timer =
      options.timeoutMs === undefined
        ? undefined
        : setTimeout(
            () =>
              fail(
                new HttpError(
                  408,
                  'body_timeout',
                  `the request body did not arrive within ${options.timeoutMs} ms`,
                  {
                    headers: { connection: 'close' },
                  },
                ),
              ),
            options.timeoutMs,
          );
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) return fail(tooLarge(limit));
      chunks.push(chunk);
    };
    const onEnd = () => {
      cleanup();
      resolve(Buffer.concat(chunks));
    };
    const onBroken = () =>
      fail(new HttpError(400, 'body_aborted', 'the connection closed before the request body was complete'));
    function cleanup() {
      clearTimeout(timer);
      req.off('data', onData).off('end', onEnd).off('error', onBroken).off('close', onClose);
    }
    function onClose() {
      if (!req.complete) onBroken();
    }
    function fail(err: HttpError) {
      cleanup();
      // Whatever else arrives is drained unread: the reply says the connection closes after it.
      req.on('error', () => {});
      req.resume();
      chunks.length = 0;
      reject(err);
    }
    req.on('data', onData).on('end', onEnd).on('error', onBroken).on('close', onClose);
  });
}

/** Reads a JSON body, refusing other content types and bodies over `limit` bytes (before buffering them all). */
export async function readJsonBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<unknown> {
  const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/json')
    throw new HttpError(415, 'unsupported_media_type', 'request body must be application/json');
  const text = (await readBody(req, limit)).toString('utf8');
  if (text.trim() === '') return {};
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new HttpError(400, 'invalid_json', `request body is not valid JSON: ${(err as Error).message}`);
  }
}

function tooLarge(limit: number): HttpError {
  return new HttpError(413, 'body_too_large', `request body is larger than ${limit} bytes`, {
    headers: { connection: 'close' },
  });
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const payload = Buffer.from(`${JSON.stringify(body)}\n`);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': String(payload.length),
    'cache-control': 'no-store',
    ...headers,
  });
  res.end(payload);
}

export function sendText(res: ServerResponse, status: number, contentType: string, text: string): void {
  const payload = Buffer.from(text);
  res.writeHead(status, {
    'content-type': contentType,
    'content-length': String(payload.length),
    'cache-control': 'no-store',
  });
  res.end(payload);
}

export function sendError(res: ServerResponse, err: HttpError): void {
  const error: Record<string, unknown> = { code: err.code, message: err.message };
  if (err.hint) error.hint = err.hint;
  if (err.issues) error.issues = err.issues;
  sendJson(res, err.status, { error }, err.headers);
}
