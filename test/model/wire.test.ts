/** The pure pieces of the model client: stream reassembly, finish reasons, error classification, retry timing, usage. */
import { APIConnectionError, APIError } from 'openai';
import type { ChatCompletionChunk } from 'openai/resources/chat/completions';
import { describe, expect, it } from 'vitest';
import { mapFinishReason } from '../../src/model/convert.ts';
import { retryAfterMs, toModelError, unreachableHint } from '../../src/model/errors.ts';
import { DEFAULT_BACKOFF, retryDelay } from '../../src/model/retry.ts';
import { streamChunks } from '../../src/model/scripted-wire.ts';
import { accumulateStream } from '../../src/model/stream.ts';
import { costUsd, estimatePromptTokens } from '../../src/model/usage.ts';

async function* iterate(chunks: object[]): AsyncIterable<ChatCompletionChunk> {
  for (const c of chunks) yield c as ChatCompletionChunk;
}

const ctx = { baseUrl: 'http://127.0.0.1:11434/v1', model: 'granite4:tiny-h', timeoutMs: 1000 };
const apiError = (status: number, message: string, headers: Record<string, string> = {}) =>
  APIError.generate(status, { error: { message } }, undefined, new Headers(headers));

describe('accumulateStream', () => {
  it('rebuilds two interleaved tool calls and the usage chunk from the scripted wire format', async () => {
    const usage = { prompt_tokens: 7, completion_tokens: 5, total_tokens: 12 };
    const chunks = streamChunks(
      {
        content: 'Let me look.',
        toolCalls: [
          { name: 'bash', arguments: { command: 'ls -la' } },
          { name: 'bash', arguments: '{"command":"pwd"}' },
        ],
      },
      'm',
      { usage },
    );
    expect(chunks.length).toBeGreaterThan(8);
    const reply = await accumulateStream(iterate(chunks));
    expect(reply.content).toBe('Let me look.');
    expect(reply.toolCalls).toEqual([
      { id: 'call_0', name: 'bash', arguments: '{"command":"ls -la"}' },
      { id: 'call_1', name: 'bash', arguments: '{"command":"pwd"}' },
    ]);
    expect(reply.finishReason).toBe('tool_calls');
    expect(reply.usage).toEqual({ promptTokens: 7, completionTokens: 5 });
  });

  it('copes with servers that repeat the name, omit ids, or omit the index', async () => {
    const delta = (tool_calls: object[]) => ({
      choices: [{ index: 0, delta: { tool_calls }, finish_reason: null }],
    });
    const reply = await accumulateStream(
      iterate([
        delta([{ index: 0, function: { name: 'bash', arguments: '{"comm' } }]),
        delta([{ index: 0, function: { name: 'bash', arguments: 'and":"ls"}' } }]),
        delta([{ function: { name: 'bash', arguments: '{}' } }]),
        { choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] },
      ]),
    );
    expect(reply.toolCalls).toEqual([
      { id: 'call_0', name: 'bash', arguments: '{"command":"ls"}' },
      { id: 'call_1', name: 'bash', arguments: '{}' },
    ]);
    expect(reply.usage).toBeUndefined();
  });
});

describe('mapFinishReason', () => {
  it('keeps length, and lets a tool call win over stop', () => {
    expect(mapFinishReason('length', true)).toBe('length');
    expect(mapFinishReason('stop', true)).toBe('tool_calls');
    expect(mapFinishReason('stop', false)).toBe('stop');
    expect(mapFinishReason(null, false)).toBe('other');
    expect(mapFinishReason('content_filter', false)).toBe('content_filter');
  });
});

describe('toModelError', () => {
  it('classifies by class and status, with retryable set right', () => {
    const cases: [unknown, string, boolean][] = [
      [new APIConnectionError({ cause: new Error('x') }), 'endpoint_unreachable', true],
      [apiError(401, 'bad key'), 'auth_failed', false],
      [apiError(404, 'model "granite4:tiny-h" not found, try pulling it first'), 'model_not_found', false],
      [apiError(404, '404 page not found'), 'endpoint_not_found', false],
      [
        apiError(400, 'the request exceeds the available context size, try increasing it'),
        'context_overflow',
        false,
      ],
      [apiError(400, 'bad temperature'), 'bad_request', false],
      [apiError(429, 'slow down'), 'rate_limited', true],
      [apiError(500, 'boom'), 'server_error', true],
      [apiError(500, 'boom', { 'x-should-retry': 'false' }), 'server_error', false],
      [
        Object.assign(new TypeError('terminated'), {
          cause: Object.assign(new Error('closed'), { code: 'UND_ERR_SOCKET' }),
        }),
        'endpoint_unreachable',
        true,
      ],
      [new Error('bug'), 'model_error', false],
    ];
    for (const [err, code, retryable] of cases) {
      const e = toModelError(err, ctx);
      expect([e.code, e.retryable]).toEqual([code, retryable]);
    }
    expect(toModelError(new Error('aborted'), { ...ctx, timedOut: true }).code).toBe('timeout');
    // An error event inside a stream carries no status.
    const inStream = new APIError(
      undefined,
      { message: 'prompt exceeds context length' },
      undefined,
      new Headers(),
    );
    expect(toModelError(inStream, ctx).code).toBe('context_overflow');
    const failed = new APIError(undefined, { message: 'CUDA out of memory' }, undefined, new Headers());
    expect([toModelError(failed, ctx).code, toModelError(failed, ctx).retryable]).toEqual([
      'server_error',
      true,
    ]);
  });

  it('hints at ollama for the default port and at baseUrl everywhere', () => {
    expect(unreachableHint('http://127.0.0.1:11434/v1')).toContain('ollama serve');
    expect(unreachableHint('http://127.0.0.1:8000/v1')).not.toContain('ollama');
    expect(unreachableHint('http://127.0.0.1:8000/v1')).toContain('model.baseUrl');
  });
});

describe('retry timing', () => {
  it('reads retry-after in seconds, milliseconds and as a date', () => {
    expect(retryAfterMs(apiError(429, 'x', { 'retry-after': '2' }))).toBe(2000);
    expect(retryAfterMs(apiError(429, 'x', { 'retry-after-ms': '150' }))).toBe(150);
    const now = Date.parse('2025-01-01T00:00:00Z');
    expect(retryAfterMs(apiError(503, 'x', { 'retry-after': 'Wed, 01 Jan 2025 00:00:03 GMT' }), now)).toBe(
      3000,
    );
    expect(retryAfterMs(apiError(503, 'x'))).toBeUndefined();
  });

  it('backs off exponentially with jitter, and gives up on an unreasonable retry-after', () => {
    const b = { ...DEFAULT_BACKOFF, baseMs: 100, maxMs: 1000 };
    expect(retryDelay(new Error('x'), 0, b, () => 0)).toBe(50);
    expect(retryDelay(new Error('x'), 0, b, () => 1)).toBe(100);
    expect(retryDelay(new Error('x'), 3, b, () => 1)).toBe(800);
    expect(retryDelay(new Error('x'), 10, b, () => 1)).toBe(1000);
    expect(retryDelay(toModelError(apiError(429, 'x', { 'retry-after': '1' }), ctx), 0, b)).toBe(1000);
    expect(retryDelay(apiError(429, 'x', { 'retry-after': '3600' }), 0, b)).toBeUndefined();
  });
});

describe('usage', () => {
  it('estimates ~4 chars per token and prices per million tokens', () => {
    expect(estimatePromptTokens([{ role: 'user', content: 'x'.repeat(40) }])).toBe(14);
    const usage = { promptTokens: 2_000_000, completionTokens: 1_000_000, estimated: false };
    expect(costUsd(usage, { inputPerMTokUsd: 0.5, outputPerMTokUsd: 2 })).toBe(3);
    expect(costUsd(usage, undefined)).toBe(0);
  });
});
