/**
 * The embedded model behind the OpenAI-compatible endpoint, used through the production client over
 * loopback HTTP (streamed and not, text and bash tool calls), and `auto` provider selection against a
 * real local server and a closed port.
 */
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BASH_TOOL, parseToolAction } from '../../../src/agent/actions.ts';
import { modelSchema } from '../../../src/config/schema.ts';
import { silentLogger } from '../../../src/core/log.ts';
import type { ChatMessage } from '../../../src/core/model.ts';
import { decideContextWindow } from '../../../src/model/context-advice.ts';
import type { EmbeddedModel } from '../../../src/model/embedded/embedded-model.ts';
import { type Endpoint, startModelEndpoint } from '../../../src/model/embedded/endpoint.ts';
import { chooseProvider } from '../../../src/model/embedded/provider.ts';
import { createOpenAIModel } from '../../../src/model/openai-model.ts';
import { startScriptedServer } from '../../../src/model/scripted-server.ts';
import { detectServingContext } from '../../../src/model/serving-context.ts';
import { loadTinyModel, tinyModelFile } from '../../support/gguf-model.ts';

const messages: ChatMessage[] = [
  { role: 'system', content: 'One shell command per reply.' },
  { role: 'user', content: 'List the files.' },
];
let model: EmbeddedModel;
let endpoint: Endpoint;
const TOKEN = 'test-token';

beforeAll(async () => {
  model = await loadTinyModel(tinyModelFile().path);
  endpoint = await startModelEndpoint({
    model,
    logger: silentLogger(),
    authorize: (h) => h === `Bearer ${TOKEN}`,
  });
}, 60_000);
afterAll(async () => {
  await endpoint?.close();
  await model?.dispose();
});

const client = (stream: boolean, apiKey = TOKEN) =>
  createOpenAIModel(
    modelSchema.parse({ baseUrl: endpoint.url, name: model.name, apiKey, stream, retries: 0 }),
    { logger: silentLogger() },
  );

describe('the embedded model as an OpenAI-compatible endpoint', () => {
  it('answers the same completion in-process and over HTTP, streamed and not', async () => {
    const local = await model.complete(messages, { maxTokens: 16, temperature: 0 });
    for (const stream of [false, true]) {
      const tokens: string[] = [];
      const remote = await client(stream).complete(messages, {
        maxTokens: 16,
        temperature: 0,
        onToken: (t) => tokens.push(t),
      });
      expect(remote.message.content).toBe(local.message.content);
      const { cachedPromptTokens: cached, ...counts } = remote.usage;
      const { cachedPromptTokens: _, ...localCounts } = local.usage;
      expect(counts).toEqual(localCounts);
      // The same prompt again comes whole from the KV cache, and the endpoint says so
      // (usage.prompt_tokens_details.cached_tokens).
      expect(cached).toBe(local.usage.promptTokens);
      expect(remote.finishReason).toBe('length');
      if (stream) expect(tokens.length).toBeGreaterThan(1);
    }
  });

  it('returns grammar-constrained bash tool calls the agent parses', async () => {
    for (const stream of [false, true]) {
      const c = await client(stream).complete(messages, {
        tools: [BASH_TOOL],
        maxTokens: 600,
        temperature: 1,
        seed: 4,
      });
      expect(c.message.toolCalls?.[0]?.name).toBe('bash');
      expect(parseToolAction(c).ok).toBe(true);
    }
  });

  it('tells a worker elsewhere its context (max_model_len), which becomes that agent’s budget', async () => {
    const found = await detectServingContext({ baseUrl: endpoint.url, name: model.name, apiKey: TOKEN });
    expect(found).toEqual({
      server: 'conjecture model serve',
      tokens: model.contextWindow,
      source: 'GET /v1/models max_model_len',
    });
    // The tiny model's context (2048) is below what the agent needs: the warning names the fix.
    const [warning] = decideContextWindow(undefined, found, model.name).warnings;
    expect(warning?.fix).toContain('conjecture model serve --set model.embedded.contextSize=32768');
  });

  it('lists its model and refuses requests without the token', async () => {
    const res = await fetch(`${endpoint.url}/models`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(((await res.json()) as { data: { id: string }[] }).data[0]?.id).toBe(model.name);
    await expect(client(false, 'wrong').complete(messages, { maxTokens: 2 })).rejects.toMatchObject({
      retryable: false,
    });
  });
});

describe('provider auto', () => {
  it('is the default, and uses a base URL someone set without probing or falling back', async () => {
    expect(modelSchema.parse({}).provider).toBe('auto');
    const probes: string[] = [];
    const settings = modelSchema.parse({ baseUrl: 'http://127.0.0.1:9/v1' });
    const choice = await chooseProvider(settings, {
      fetch: async (url) => {
        probes.push(String(url));
        throw new Error('unreachable');
      },
    });
    expect(choice).toEqual({
      provider: 'openai-compatible',
      baseUrl: 'http://127.0.0.1:9/v1',
      reason: 'model.baseUrl is set',
    });
    expect(probes).toEqual([]);
  });

  it('uses a reachable local server that serves the model', async () => {
    const server = await startScriptedServer({ turns: [] });
    try {
      const settings = modelSchema.parse({ provider: 'auto' });
      const choice = await chooseProvider(settings, {
        candidates: [{ name: 'Ollama', baseUrl: server.url }],
      });
      expect(choice).toMatchObject({ provider: 'openai-compatible', baseUrl: server.url });
    } finally {
      await server.close();
    }
  });

  it('falls back to the embedded runtime when no server answers or none serves the model', async () => {
    const closed = await freePort();
    const server = await startScriptedServer({ turns: [], modelName: 'other-model' });
    try {
      const settings = modelSchema.parse({ provider: 'auto' });
      const choice = await chooseProvider(settings, {
        candidates: [
          { name: 'Ollama', baseUrl: `http://127.0.0.1:${closed}/v1` },
          { name: 'LM Studio', baseUrl: server.url },
        ],
        timeoutMs: 1_000,
      });
      expect(choice.provider).toBe('embedded');
      expect(choice.reason).toContain('did not answer');
      expect(choice.reason).toContain(`lacks ${settings.name}`);
    } finally {
      await server.close();
    }
  });
});

/** A port nothing listens on: bind, note it, close. */
async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}
