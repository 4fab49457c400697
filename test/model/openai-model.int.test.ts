/**
 * The production model client against the scripted OpenAI-compatible server, over real HTTP on
 * 127.0.0.1: streaming and not, tool calls, retries, usage, cost, and the errors an operator sees.
 */
import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { modelSchema } from '../../src/config/schema.ts';
import { isAbortError, ModelError } from '../../src/core/errors.ts';
import { silentLogger } from '../../src/core/log.ts';
import type { ChatMessage, ToolSpec } from '../../src/core/model.ts';
import { createOpenAIModel, probeModelEndpoint } from '../../src/model/index.ts';
import {
  type ScriptedServer,
  type ScriptedTurn,
  startScriptedServer,
} from '../../src/model/scripted-server.ts';

const FAST = { baseMs: 5, maxMs: 20 };
const bash: ToolSpec = {
  name: 'bash',
  description: 'Run one shell command',
  parameters: { type: 'object', properties: { command: { type: 'string' } }, required: ['command'] },
};
const hello: ChatMessage[] = [
  { role: 'system', content: 'You are a careful engineer.' },
  { role: 'user', content: 'Fix the bug.' },
];

let servers: ScriptedServer[] = [];
afterEach(async () => {
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
});

async function serve(turns: ScriptedTurn[], options: { port?: number; apiKey?: string } = {}) {
  const server = await startScriptedServer({ turns, ...options });
  servers.push(server);
  return server;
}

function model(url: string, overrides: Record<string, unknown> = {}) {
  const settings = modelSchema.parse({ baseUrl: url, retries: 3, ...overrides });
  return createOpenAIModel(settings, { logger: silentLogger(), backoff: FAST });
}

async function rejection(p: Promise<unknown>): Promise<ModelError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ModelError);
  return err as ModelError;
}

/** A port with nothing listening on it (bound, then released). */
async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', () => r()));
  const { port } = probe.address() as { port: number };
  await new Promise<void>((r) => probe.close(() => r()));
  return port;
}

describe('createOpenAIModel over HTTP', () => {
  it('returns a non-streamed reply with reported usage and sends the settings', async () => {
    const server = await serve([
      { content: 'THOUGHT: look\n```bash\nls\n```', usage: { promptTokens: 120, completionTokens: 9 } },
    ]);
    const m = model(server.url, { stream: false, temperature: 0.2, maxTokens: 512, seed: 7 });
    const tokens: string[] = [];
    const out = await m.complete(hello, { onToken: (t) => tokens.push(t) });
    expect(out.message).toEqual({ role: 'assistant', content: 'THOUGHT: look\n```bash\nls\n```' });
    expect(out.finishReason).toBe('stop');
    expect(out.usage).toEqual({ promptTokens: 120, completionTokens: 9, estimated: false });
    expect(out.costUsd).toBe(0);
    expect(out.latencyMs).toBeGreaterThanOrEqual(0);
    expect(tokens).toEqual([]);
    const body = server.requests[0]!;
    expect(body).toMatchObject({ model: 'granite4:tiny-h', temperature: 0.2, max_tokens: 512, seed: 7 });
    expect(body.stream).toBeFalsy();
    expect(body.messages).toEqual([
      { role: 'system', content: 'You are a careful engineer.' },
      { role: 'user', content: 'Fix the bug.' },
    ]);
  });

  it('streams text through onToken and asks for usage in the stream', async () => {
    const content = 'I will list the files first, then read the failing test.';
    const server = await serve([{ content, usage: { promptTokens: 50, completionTokens: 14 } }]);
    const tokens: string[] = [];
    const out = await model(server.url).complete(hello, { onToken: (t) => tokens.push(t) });
    expect(tokens.length).toBeGreaterThan(3);
    expect(tokens.join('')).toBe(content);
    expect(out.message.content).toBe(content);
    expect(out.usage).toEqual({ promptTokens: 50, completionTokens: 14, estimated: false });
    expect(server.requests[0]).toMatchObject({ stream: true, stream_options: { include_usage: true } });
  });

  it('reassembles streamed tool-call deltas and passes the tool through', async () => {
    const args = { command: "grep -rn 'def parse' src/ | head -20" };
    const server = await serve([{ content: '', toolCalls: [{ name: 'bash', arguments: args }] }]);
    const out = await model(server.url).complete(hello, { tools: [bash] });
    expect(out.finishReason).toBe('tool_calls');
    expect(out.message.toolCalls).toHaveLength(1);
    expect(out.message.toolCalls![0]!.name).toBe('bash');
    expect(JSON.parse(out.message.toolCalls![0]!.arguments)).toEqual(args);
    expect(server.requests[0]!.tools).toEqual([
      {
        type: 'function',
        function: { name: 'bash', description: bash.description, parameters: bash.parameters },
      },
    ]);
  });

  it('passes malformed tool-call JSON and truncation through for the agent to handle', async () => {
    const broken = '{"command": "cat README.md';
    const turn: ScriptedTurn = { toolCalls: [{ name: 'bash', arguments: broken }], finishReason: 'length' };
    const server = await serve([turn, turn]);
    for (const stream of [true, false]) {
      const out = await model(server.url, { stream }).complete(hello, { tools: [bash] });
      expect(out.finishReason).toBe('length');
      expect(out.message.toolCalls?.[0]?.arguments).toBe(broken);
    }
  });

  it('sends earlier tool calls and tool results in wire form', async () => {
    const server = await serve([{ content: 'done' }]);
    const history: ChatMessage[] = [
      ...hello,
      {
        role: 'assistant',
        content: '',
        toolCalls: [{ id: 'call_9', name: 'bash', arguments: '{"command":"ls"}' }],
      },
      { role: 'tool', content: 'README.md', toolCallId: 'call_9' },
    ];
    await model(server.url).complete(history, { tools: [bash] });
    expect(server.requests[0]!.messages!.slice(2)).toEqual([
      {
        role: 'assistant',
        content: '',
        tool_calls: [
          { id: 'call_9', type: 'function', function: { name: 'bash', arguments: '{"command":"ls"}' } },
        ],
      },
      { role: 'tool', content: 'README.md', tool_call_id: 'call_9' },
    ]);
  });

  it('estimates usage when the server reports none, and prices it from the table', async () => {
    const content = 'x'.repeat(400);
    const server = await serve([
      { content, omitUsage: true },
      { content, omitUsage: true },
      { content, usage: { promptTokens: 1_000_000, completionTokens: 500_000 } },
    ]);
    const price = { inputPerMTokUsd: 0.1, outputPerMTokUsd: 0.4 };
    for (const stream of [true, false]) {
      const out = await model(server.url, { stream, price }).complete(hello);
      expect(out.usage.estimated).toBe(true);
      expect(out.usage.completionTokens).toBe(100);
      expect(out.usage.promptTokens).toBeGreaterThan(5);
      expect(out.costUsd).toBeCloseTo((out.usage.promptTokens * 0.1 + 100 * 0.4) / 1e6, 12);
    }
    const priced = await model(server.url, { price }).complete(hello);
    expect(priced.usage.estimated).toBe(false);
    expect(priced.costUsd).toBeCloseTo(0.1 + 0.2, 10);
  });

  it('retries a 503 and succeeds', async () => {
    const server = await serve([
      { status: 503, errorBody: { error: { message: 'loading model' } } },
      { content: 'ok' },
    ]);
    const out = await model(server.url).complete(hello);
    expect(out.message.content).toBe('ok');
    expect(server.requests).toHaveLength(2);
  });

  it('honours retry-after on a 429', async () => {
    const server = await serve([{ status: 429, headers: { 'retry-after': '1' } }, { content: 'ok' }]);
    const started = Date.now();
    const out = await model(server.url).complete(hello);
    expect(out.message.content).toBe('ok');
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
  });

  it('gives up after the configured retries with the last error', async () => {
    const turns = Array.from({ length: 3 }, (): ScriptedTurn => ({ status: 502 }));
    const server = await serve(turns);
    const err = await rejection(model(server.url, { retries: 2 }).complete(hello));
    expect(err.code).toBe('server_error');
    expect(err.retryable).toBe(true);
    expect(server.requests).toHaveLength(3);
  });

  it('retries while the endpoint refuses connections, then succeeds once it is up', async () => {
    const port = await freePort();
    const m = createOpenAIModel(modelSchema.parse({ baseUrl: `http://127.0.0.1:${port}/v1`, retries: 6 }), {
      logger: silentLogger(),
      backoff: { baseMs: 60, maxMs: 200 },
    });
    const pending = m.complete(hello);
    await new Promise((r) => setTimeout(r, 150));
    await serve([{ content: 'up now' }], { port });
    expect((await pending).message.content).toBe('up now');
  });

  it('names the URL and the fix when the endpoint is down', async () => {
    const url = `http://127.0.0.1:${await freePort()}/v1`;
    const err = await rejection(model(url, { retries: 0 }).complete(hello));
    expect(err.code).toBe('endpoint_unreachable');
    expect(err.retryable).toBe(true);
    expect(err.message).toContain(url);
    expect(err.hint).toContain('model.baseUrl');
  });

  it('tells the operator to pull a missing model (Ollama 404), without retrying', async () => {
    const server = await serve([{ content: 'never' }]);
    const err = await rejection(model(server.url, { name: 'qwen3:0.6b' }).complete(hello));
    expect(err.code).toBe('model_not_found');
    expect(err.retryable).toBe(false);
    expect(err.hint).toContain('ollama pull qwen3:0.6b');
    expect(server.requests).toHaveLength(1);
  });

  it('reports bad credentials and context overflow with their own codes', async () => {
    const guarded = await serve([], { apiKey: 'sk-right' });
    const auth = await rejection(model(guarded.url, { apiKey: 'sk-wrong' }).complete(hello));
    expect(auth.code).toBe('auth_failed');
    expect(auth.hint).toContain('apiKey');
    const overflow = await serve([
      {
        status: 400,
        errorBody: {
          error: {
            message:
              "This model's maximum context length is 32768 tokens. However, you requested 40000 tokens.",
          },
        },
      },
    ]);
    const err = await rejection(model(overflow.url).complete(hello));
    expect(err.code).toBe('context_overflow');
    expect(err.retryable).toBe(false);
  });

  it('does not retry when the script is exhausted', async () => {
    const server = await serve([]);
    const err = await rejection(model(server.url).complete(hello));
    expect(err.message).toContain('script exhausted');
    expect(server.requests).toHaveLength(1);
  });

  it('times out a slow reply and aborts on the caller signal', async () => {
    const slow = await serve([
      { content: 'late', delayMs: 5_000 },
      { content: 'late', delayMs: 5_000 },
    ]);
    const timeout = await rejection(model(slow.url, { requestTimeoutMs: 150, retries: 0 }).complete(hello));
    expect(timeout.code).toBe('timeout');
    const controller = new AbortController();
    const started = Date.now();
    setTimeout(() => controller.abort(), 100);
    const err = await model(slow.url)
      .complete(hello, { signal: controller.signal })
      .catch((e: unknown) => e);
    expect(isAbortError(err)).toBe(true);
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('probes the endpoint: model served, model missing, endpoint down', async () => {
    const server = await serve([]);
    const up = await probeModelEndpoint(modelSchema.parse({ baseUrl: server.url }));
    expect(up).toEqual({ ok: true, models: ['granite4:tiny-h'] });
    const missing = await probeModelEndpoint(modelSchema.parse({ baseUrl: server.url, name: 'llama3' }));
    expect(missing.ok).toBe(false);
    expect(missing.error?.hint).toContain('ollama pull llama3');
    const down = await probeModelEndpoint(
      modelSchema.parse({ baseUrl: `http://127.0.0.1:${await freePort()}/v1` }),
    );
    expect(down.error?.code).toBe('endpoint_unreachable');
  });
});

describe('a stream that breaks half-way', () => {
  it('is retried as a whole, and the completion is the retry', async () => {
    const content = 'a reply long enough to be cut into several streamed fragments';
    const server = await serve([{ content, breakAfterChunks: 3 }, { content }]);
    const tokens: string[] = [];
    const out = await model(server.url).complete(hello, { onToken: (t) => tokens.push(t) });
    expect(out.message.content).toBe(content);
    expect(server.requests).toHaveLength(2);
    // onToken saw the broken attempt's fragments too: it is for display, not for the result.
    expect(tokens.join('')).toBe(content.slice(0, 16) + content);
  });
});
