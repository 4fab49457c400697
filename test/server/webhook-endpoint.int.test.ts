/**
 * The webhook endpoint and the public server against hostile clients on loopback (issue 14): aborted
 * and oversized uploads, slow headers and bodies, bad signatures, malformed and odd-but-signed
 * bodies. Each is a 4xx in the API's error shape (when the client is still there to read it) and one
 * warn line with the delivery id and no stack; the server keeps answering.
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/core/log.ts';
import {
  createFront,
  createPublicServer,
  createWebhookEndpoint,
  WEBHOOK_PATH,
} from '../../src/server/index.ts';
import { examplePayload, sign } from '../support/github/webhooks.ts';

const SECRET = 'endpoint-secret';
const MAX_BYTES = 64 * 1024;
const lines: Record<string, unknown>[] = [];
const delivered: string[] = [];
let server: Server;
let port: number;

beforeAll(async () => {
  const logger = createLogger({
    level: 'debug',
    destination: { write: (s: string) => void lines.push(JSON.parse(s)) },
  });
  const deliver = (req: IncomingMessage, res: ServerResponse) => {
    delivered.push(String(req.headers['x-github-delivery']));
    res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
  };
  server = createPublicServer(
    createFront({
      webhook: createWebhookEndpoint({
        secret: SECRET,
        logger,
        maxBytes: MAX_BYTES,
        bodyTimeoutMs: 600,
        deliver,
      }),
      api: { handle: async () => false },
      fallback: (_req, res) => res.writeHead(404).end(),
      logger,
    }),
    { headersTimeoutMs: 400, requestTimeoutMs: 2_000, logger },
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});
beforeEach(() => {
  lines.length = 0;
});

const labeled = () => {
  const p = examplePayload('issues', 'labeled');
  p.installation = { id: 1 };
  return p;
};

async function post(
  body: string,
  options: { deliveryId?: string; signature?: string | null; event?: string } = {},
): Promise<{ status: number; json: unknown }> {
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'x-github-event': options.event ?? 'issues',
    'x-github-delivery': options.deliveryId ?? 'd-1',
  };
  const signature = options.signature === undefined ? sign(body, SECRET) : options.signature;
  if (signature !== null) headers['x-hub-signature-256'] = signature;
  const res = await fetch(`http://127.0.0.1:${port}${WEBHOOK_PATH}`, { method: 'POST', headers, body });
  const text = await res.text();
  return { status: res.status, json: text.startsWith('{') ? JSON.parse(text) : text };
}

/** Writes raw bytes on a socket and resolves with whatever the server answered before closing. */
function raw(chunks: (string | { waitMs: number })[], endWith: 'close' | 'reset' | 'wait' = 'wait') {
  return new Promise<string>((resolve) => {
    let answer = '';
    const socket = connect(port, '127.0.0.1', async () => {
      for (const c of chunks) {
        if (typeof c === 'string') socket.write(c);
        else await new Promise((r) => setTimeout(r, c.waitMs));
      }
      if (endWith === 'close') socket.end();
      if (endWith === 'reset') socket.resetAndDestroy();
    });
    socket.on('data', (d) => (answer += d));
    socket.on('error', () => {});
    socket.on('close', () => resolve(answer));
  });
}

const head = (length: number, deliveryId: string, signature = sign('x', SECRET)) =>
  `POST ${WEBHOOK_PATH} HTTP/1.1\r\nHost: x\r\ncontent-type: application/json\r\ncontent-length: ${length}\r\nx-github-event: issues\r\nx-github-delivery: ${deliveryId}\r\nx-hub-signature-256: ${signature}\r\n\r\n`;

const warnings = () => lines.filter((l) => l.level === 40);
const errorsLogged = () => lines.filter((l) => (l.level as number) >= 50);

/** One warn line for `deliveryId`, without a stack; nothing at error level. */
function expectOneWarning(deliveryId: string, code: string) {
  const mine = warnings().filter((l) => l.deliveryId === deliveryId);
  expect(mine).toHaveLength(1);
  expect(mine[0]).toMatchObject({ code });
  expect(JSON.stringify(mine[0])).not.toMatch(/\bat .*\(.*:\d+:\d+\)/);
  expect(errorsLogged()).toEqual([]);
}

describe('webhook endpoint', () => {
  it('delivers a valid signed delivery', async () => {
    const res = await post(JSON.stringify(labeled()), { deliveryId: 'ok-1' });
    expect(res.status).toBe(200);
    expect(delivered).toContain('ok-1');
  });

  it('an upload aborted mid-body is one warning, and the server keeps answering', async () => {
    await raw([head(10_000, 'aborted-1'), '{"action":"la', { waitMs: 50 }], 'reset');
    await raw([head(10_000, 'aborted-2'), '{"action":"la', { waitMs: 50 }], 'close');
    await new Promise((r) => setTimeout(r, 100));
    expectOneWarning('aborted-1', 'body_aborted');
    expect(warnings().filter((l) => l.deliveryId === 'aborted-2')).toHaveLength(1);
    expect((await post(JSON.stringify(labeled()), { deliveryId: 'after-abort' })).status).toBe(200);
  });

  it('a body over the limit is a 413 before it is read, declared or streamed', async () => {
    const declared = await raw([head(MAX_BYTES + 1, 'big-declared')]);
    expect(declared).toMatch(/^HTTP\/1\.1 413/);
    expect(declared).toContain('"code":"body_too_large"');
    expectOneWarning('big-declared', 'body_too_large');
    lines.length = 0;
    // Chunked, no length: refused once the limit is passed, with the rest never buffered.
    const chunk = 'x'.repeat(16 * 1024);
    const streamed = await raw([
      `POST ${WEBHOOK_PATH} HTTP/1.1\r\nHost: x\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\nx-github-event: issues\r\nx-github-delivery: big-streamed\r\nx-hub-signature-256: ${sign('x', SECRET)}\r\n\r\n`,
      ...Array.from({ length: 8 }, () => `${chunk.length.toString(16)}\r\n${chunk}\r\n`),
    ]);
    expect(streamed).toMatch(/^HTTP\/1\.1 413/);
    expectOneWarning('big-streamed', 'body_too_large');
  });

  it('an unsigned request is a 401 without reading the body; a wrong signature is a 401 with a hint', async () => {
    const unsigned = await raw([head(MAX_BYTES, 'unsigned', '')]);
    expect(unsigned).toMatch(/^HTTP\/1\.1 401/);
    const wrong = await post(JSON.stringify(labeled()), {
      deliveryId: 'forged',
      signature: sign('{}', 'nope'),
    });
    expect(wrong).toEqual({
      status: 401,
      json: {
        error: {
          code: 'signature_mismatch',
          message: 'signature does not match',
          hint: expect.stringContaining('WEBHOOK_SECRET'),
        },
      },
    });
    expectOneWarning('forged', 'signature_mismatch');
    expect(warnings().find((l) => l.deliveryId === 'forged')).toMatchObject({
      deliveryId: 'forged',
      status: 401,
      hint: expect.stringContaining('WEBHOOK_SECRET'),
    });
    expect(delivered).not.toContain('forged');
  });

  it('signed but unreadable bodies are 400s in the error shape; no installation is acknowledged and ignored', async () => {
    const cases: [string, string, string][] = [
      ['empty', '', 'empty_body'],
      ['null', 'null', 'invalid_payload'],
      ['bare', '{"action":"labeled"}', 'invalid_payload'],
      ['truncated', JSON.stringify(labeled()).slice(0, 300), 'invalid_json'],
      ['garbage', '\u0000\u00ff{{', 'invalid_json'],
    ];
    for (const [id, body, code] of cases) {
      lines.length = 0;
      const res = await post(body, { deliveryId: id });
      expect(res.status, id).toBe(400);
      expect(res.json).toMatchObject({ error: { code } });
      expectOneWarning(id, code);
    }
    lines.length = 0;
    const repoHook = examplePayload('issues', 'labeled');
    const res = await post(JSON.stringify(repoHook), { deliveryId: 'repo-hook' });
    expect(res).toMatchObject({
      status: 200,
      json: { ok: true, ignored: expect.stringMatching(/no installation/) },
    });
    expect(warnings().filter((l) => l.deliveryId === 'repo-hook')).toHaveLength(1);
    expect(delivered).not.toContain('repo-hook');
    for (const [id] of cases) expect(delivered).not.toContain(id);
  });

  it('what is not a GitHub delivery is refused before the body is read, in the error shape', async () => {
    const send = (headers: Record<string, string>) =>
      fetch(`http://127.0.0.1:${port}${WEBHOOK_PATH}`, {
        method: 'POST',
        headers: { 'x-hub-signature-256': sign('{}', SECRET), ...headers },
        body: '{}',
      }).then(async (r) => ({ status: r.status, json: await r.json() }));
    const base = { 'content-type': 'application/json', 'x-github-event': 'ping', 'x-github-delivery': 'h-1' };
    expect(await send({ ...base, 'x-github-event': '' })).toMatchObject({
      status: 400,
      json: { error: { code: 'missing_headers', message: expect.stringContaining('x-github-event') } },
    });
    expect(await send({ ...base, 'x-github-delivery': 'x'.repeat(500) })).toMatchObject({
      status: 400,
      json: { error: { code: 'invalid_delivery_id' } },
    });
    expect(await send({ ...base, 'content-type': 'application/x-www-form-urlencoded' })).toMatchObject({
      status: 415,
      json: { error: { code: 'unsupported_media_type' } },
    });
    expect(warnings()).toHaveLength(3);
    expect(errorsLogged()).toEqual([]);
  });

  it('a signed body nested 30,000 deep is answered, not a crash', async () => {
    const deep = `{"action":"labeled","x":${'['.repeat(30_000)}${']'.repeat(30_000)}}`;
    const res = await post(deep, { deliveryId: 'deep' });
    expect(res.status).toBe(400);
    expect((await post(JSON.stringify(labeled()), { deliveryId: 'after-deep' })).status).toBe(200);
  });

  it('slow-loris headers and bodies are cut off with 408', async () => {
    const started = Date.now();
    const [slowHead, slowBody] = await Promise.all([
      raw([`POST ${WEBHOOK_PATH} HTTP/1.1\r\nHost: x\r\n`, { waitMs: 1_500 }, 'x-a: b\r\n']),
      raw([head(1_000, 'slow-body'), '{"action":', { waitMs: 1_500 }, '"labeled"']),
    ]);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(slowHead).toMatch(/^HTTP\/1\.1 408/);
    expect(slowBody).toMatch(/^HTTP\/1\.1 408/);
    expect(slowBody).toContain('"code":"body_timeout"');
    expect(warnings().filter((l) => l.deliveryId === 'slow-body')).toHaveLength(1);
    expect(errorsLogged()).toEqual([]);
  });

  it('a request that is not HTTP is a 400 and one warning', async () => {
    const answer = await raw(['HELLO\r\n\r\n']);
    expect(answer).toMatch(/^HTTP\/1\.1 400/);
    expect(warnings()).toHaveLength(1);
  });
});
