/**
 * The served model's endpoint (`conjecture model serve`, `serve --serve-model`) against requests no
 * OpenAI client sends: each is a 4xx in OpenAI's error shape, read under a size limit, and the
 * endpoint keeps answering real requests afterwards.
 */
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/core/log.ts';
import {
  type Endpoint,
  MAX_REQUEST_BYTES,
  startModelEndpoint,
} from '../../../src/model/embedded/endpoint.ts';
import { createScriptedModel } from '../../../src/model/scripted-model.ts';

let endpoint: Endpoint;
const model = createScriptedModel(
  Array.from({ length: 10 }, (_, i) => `reply ${i}`),
  { name: 'tiny' },
);

beforeAll(async () => {
  endpoint = await startModelEndpoint({ model, logger: silentLogger() });
});
afterAll(() => endpoint.close());

const post = (body: string | Buffer, headers: Record<string, string> = {}) =>
  fetch(`${endpoint.url}/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
  });

async function errorOf(res: Response): Promise<{ status: number; code: string; message: string }> {
  const body = (await res.json()) as { error: { code: string; message: string } };
  return { status: res.status, code: body.error.code, message: body.error.message };
}

describe('model endpoint: requests no client sends', () => {
  it('answers malformed, truncated and odd bodies with a 400 naming the problem', async () => {
    expect(await errorOf(await post('{"messages": [{"role": "user", "content": "hi"'))).toMatchObject({
      status: 400,
      code: 'invalid_request_error',
      message: expect.stringMatching(/not valid JSON/),
    });
    expect(await errorOf(await post('null'))).toMatchObject({ status: 400 });
    expect(await errorOf(await post('{"messages": []}'))).toMatchObject({
      status: 400,
      message: expect.stringMatching(/messages: messages must be a non-empty array/),
    });
    expect(await errorOf(await post('{"messages": [{"role": "wizard", "content": "x"}]}'))).toMatchObject({
      status: 400,
      message: expect.stringMatching(/^messages\.0\.role/),
    });
    expect(await errorOf(await post('{"messages": [{"role": "user"}], "max_tokens": "lots"}'))).toMatchObject(
      {
        status: 400,
        message: expect.stringMatching(/^max_tokens/),
      },
    );
  });

  it('refuses a body over the limit with 413, declared or streamed, and stops reading it', async () => {
    const url = new URL(endpoint.url);
    const status = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(url.port), url.hostname, () =>
        socket.write(
          `POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${MAX_REQUEST_BYTES + 1}\r\n\r\n{`,
        ),
      );
      let reply = '';
      socket.on('data', (d) => {
        reply += d;
      });
      socket.on('close', () => resolve(reply.split('\r\n')[0] ?? ''));
      socket.on('error', reject);
    });
    expect(status).toBe('HTTP/1.1 413 Payload Too Large');

    const res = await post(Buffer.alloc(MAX_REQUEST_BYTES * 2, 0x20)).catch((err: Error) => err);
    // Answered before the upload ends, then the socket is closed: fetch sees the 413 or a closed socket.
    if (res instanceof Response)
      expect(await errorOf(res)).toMatchObject({ status: 413, code: 'request_too_large' });
    else expect(res.message).toMatch(/fetch failed|socket|closed|other side/i);
  });

  it('survives an upload that stops half-way, and answers the next request', async () => {
    await new Promise<void>((resolve) => {
      const url = new URL(endpoint.url);
      const socket = connect(Number(url.port), url.hostname, () => {
        socket.write(
          'POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{"messages":',
        );
        setTimeout(() => socket.destroy(), 50);
      });
      socket.on('close', () => resolve());
    });
    const res = await post(JSON.stringify({ messages: [{ role: 'user', content: 'hi' }] }));
    expect(res.status).toBe(200);
    const body = (await res.json()) as { choices: { message: { content: string } }[] };
    expect(body.choices[0]?.message.content).toMatch(/^reply \d$/);
  });
});
