/**
 * The server's real context, read from loopback stand-ins that answer as each server's
 * documentation says (src/model/scripted-flavours.ts), and the budget and warning that follow.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { configSchema } from '../../src/config/schema.ts';
import { silentLogger } from '../../src/core/log.ts';
import { decideContextWindow } from '../../src/model/context-advice.ts';
import { openConfiguredModel } from '../../src/model/embedded/provider.ts';
import { type ScriptedServer, startScriptedServer } from '../../src/model/scripted-server.ts';
import { detectServingContext } from '../../src/model/serving-context.ts';
import { tempDir } from '../cli/run-cli.ts';

const MODEL = 'granite4:tiny-h';
let server: ScriptedServer | undefined;

afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function standIn(options: Omit<Parameters<typeof startScriptedServer>[0], 'turns'>) {
  server = await startScriptedServer({ turns: [], modelName: MODEL, ...options });
  return server;
}

const detect = (s: ScriptedServer, loadModel = false) =>
  detectServingContext({ baseUrl: s.url, name: MODEL }, { timeoutMs: 2_000, loadModel });

describe('detectServingContext', () => {
  it('Ollama with a loaded model: context_length from GET /api/ps', async () => {
    const s = await standIn({ flavour: 'ollama', contextLength: 4096 });
    expect(await detect(s)).toEqual({ server: 'Ollama', tokens: 4096, source: 'GET /api/ps' });
  });

  it('Ollama with the model not loaded: loads it (POST /api/generate) when asked, then reads /api/ps', async () => {
    const s = await standIn({ flavour: 'ollama', contextLength: 8192, loaded: false });
    const found = await detect(s, true);
    expect(found).toMatchObject({ server: 'Ollama', tokens: 8192 });
    expect(s.otherRequests).toContain('POST /api/generate');
  });

  it("Ollama with the model not loaded and not to be loaded: the Modelfile's num_ctx, else unknown", async () => {
    const withNumCtx = await standIn({ flavour: 'ollama', loaded: false, modelfileNumCtx: 16384 });
    expect(await detect(withNumCtx)).toMatchObject({ server: 'Ollama', tokens: 16384 });
    expect(withNumCtx.otherRequests).not.toContain('POST /api/generate');
    await withNumCtx.close();
    const bare = await standIn({ flavour: 'ollama', loaded: false });
    const found = await detect(bare);
    expect(found?.tokens).toBeUndefined();
    expect(found?.note).toMatch(/not loaded yet.*OLLAMA_CONTEXT_LENGTH.*4096/);
  });

  it('llama.cpp: default_generation_settings.n_ctx from GET /props, naming its slots', async () => {
    const s = await standIn({ flavour: 'llama.cpp', contextLength: 8192, slots: 4 });
    expect(await detect(s)).toMatchObject({
      server: 'llama.cpp',
      tokens: 8192,
      note: expect.stringContaining('4 slots'),
    });
  });

  it('LM Studio: loaded_context_length of a loaded model from GET /api/v0/models', async () => {
    const s = await standIn({ flavour: 'lm-studio', contextLength: 12288 });
    expect(await detect(s)).toMatchObject({ server: 'LM Studio', tokens: 12288 });
    await s.close();
    const unloaded = await standIn({ flavour: 'lm-studio', loaded: false });
    const found = await detect(unloaded);
    expect(found).toMatchObject({ server: 'LM Studio', note: expect.stringContaining('not loaded yet') });
    expect(found?.tokens).toBeUndefined();
  });

  it('vLLM: max_model_len from GET /v1/models', async () => {
    const s = await standIn({ flavour: 'vllm', contextLength: 65536 });
    expect(await detect(s)).toMatchObject({ server: 'vLLM', tokens: 65536 });
  });

  it('a server that says nothing about its context: undefined', async () => {
    const s = await standIn({});
    expect(await detect(s)).toBeUndefined();
  });
});

describe('the agent budget follows the server', () => {
  it('a stand-in Ollama serving 4096 tokens: the model gets a 4096-token budget and a warning with the fix', async () => {
    const s = await standIn({ flavour: 'ollama', contextLength: 4096 });
    const settings = configSchema.parse({ model: { provider: 'openai-compatible', baseUrl: s.url } }).model;
    const opened = await openConfiguredModel(settings, {
      logger: silentLogger(),
      stateDir: tempDir('conjecture-state-'),
      cwd: tempDir(),
    });
    expect(opened.model.contextWindow).toBe(4096);
    expect(opened.context).toMatchObject({ contextWindow: 4096, from: 'server' });
    expect(opened.context.warnings).toHaveLength(1);
    expect(opened.context.warnings[0]?.message).toContain(
      'Ollama serves granite4:tiny-h with a 4096-token context',
    );
    expect(opened.context.warnings[0]?.fix).toContain('OLLAMA_CONTEXT_LENGTH=32768 ollama serve');
  });

  it('an explicit model.contextWindow wins, with a warning when the server serves less', async () => {
    const s = await standIn({ flavour: 'llama.cpp', contextLength: 16384 });
    const settings = configSchema.parse({
      model: { provider: 'openai-compatible', baseUrl: s.url, contextWindow: 65536 },
    }).model;
    const opened = await openConfiguredModel(settings, {
      logger: silentLogger(),
      stateDir: tempDir('conjecture-state-'),
      cwd: tempDir(),
    });
    expect(opened.model.contextWindow).toBe(65536);
    expect(opened.context.warnings[0]?.message).toContain('model.contextWindow is 65536');
    expect(opened.context.warnings[0]?.fix).toContain('--ctx-size 65536');
  });

  it('a server with enough context: its figure, no warning', () => {
    const decision = decideContextWindow(undefined, { server: 'vLLM', tokens: 131072, source: 'x' }, MODEL);
    expect(decision).toMatchObject({ contextWindow: 131072, from: 'server', warnings: [] });
    expect(decideContextWindow(undefined, undefined, MODEL)).toMatchObject({
      contextWindow: 32768,
      from: 'default',
      warnings: [],
    });
  });
});
