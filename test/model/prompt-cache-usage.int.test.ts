/**
 * Cached versus evaluated prompt tokens, recorded only where the server reports them: each flavour
 * of stand-in reports usage as that server does (scripted-flavours.ts), streamed and not, and the
 * production client reads it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { modelSchema } from '../../src/config/schema.ts';
import { silentLogger } from '../../src/core/log.ts';
import { addUsage, emptyUsage } from '../../src/core/task.ts';
import { createOpenAIModel } from '../../src/model/index.ts';
import type { ServerFlavour } from '../../src/model/scripted-flavours.ts';
import { type ScriptedServer, startScriptedServer } from '../../src/model/scripted-server.ts';

let server: ScriptedServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const turn = { content: 'ok', usage: { promptTokens: 1200, completionTokens: 8, cachedTokens: 1000 } };

async function usageFrom(flavour: ServerFlavour | undefined, stream: boolean) {
  server = await startScriptedServer({ turns: [turn], ...(flavour ? { flavour } : {}) });
  const model = createOpenAIModel(modelSchema.parse({ baseUrl: server.url, stream }), {
    logger: silentLogger(),
  });
  const completion = await model.complete([{ role: 'user', content: 'hi' }]);
  return completion.usage;
}

describe.each([true, false])('prompt cache usage (stream: %s)', (stream) => {
  it('llama.cpp: cached_tokens and timings (cache_n) give the cached share', async () => {
    expect(await usageFrom('llama.cpp', stream)).toEqual({
      promptTokens: 1200,
      completionTokens: 8,
      cachedPromptTokens: 1000,
      estimated: false,
    });
  });

  it('vLLM: usage.prompt_tokens_details.cached_tokens', async () => {
    expect((await usageFrom('vllm', stream)).cachedPromptTokens).toBe(1000);
  });

  it('Ollama reports prompt_tokens only: the cached share stays unknown, never invented', async () => {
    const usage = await usageFrom('ollama', stream);
    expect(usage.promptTokens).toBe(1200);
    expect(usage).not.toHaveProperty('cachedPromptTokens');
  });
});

describe('run usage', () => {
  it('adds cached tokens only where reported', () => {
    const a = addUsage(emptyUsage(), { promptTokens: 10, completionTokens: 1, estimated: false }, 0);
    expect(a).not.toHaveProperty('cachedPromptTokens');
    const b = addUsage(
      a,
      { promptTokens: 20, completionTokens: 1, estimated: false, cachedPromptTokens: 15 },
      0,
    );
    expect(b.cachedPromptTokens).toBe(15);
  });
});
