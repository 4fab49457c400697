/**
 * A real GGUF (the tiny random-weight model written by test/support/gguf.ts) loaded in-process:
 * tokenizing, free-text generation with usage, grammar-constrained bash tool calls the agent's parser
 * accepts, abort, and the memory check.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BASH_TOOL, parseToolAction } from '../../../src/agent/actions.ts';
import { isAbortError, ModelError } from '../../../src/core/errors.ts';
import type { ChatMessage } from '../../../src/core/model.ts';
import type { EmbeddedModel } from '../../../src/model/embedded/embedded-model.ts';
import { modelReadiness, runReadiness } from '../../../src/server/readiness.ts';
import { loadTinyModel, tinyModelFile } from '../../support/gguf-model.ts';

const file = tinyModelFile();
const messages: ChatMessage[] = [
  { role: 'system', content: 'You fix bugs with one shell command per reply.' },
  { role: 'user', content: 'The add function subtracts. Fix it.' },
];
let model: EmbeddedModel;

beforeAll(async () => {
  model = await loadTinyModel(file.path);
}, 60_000);
afterAll(async () => {
  await model?.dispose();
});

describe('the embedded model on a tiny GGUF', () => {
  it('writes a file of a few hundred KB with a stable checksum', () => {
    expect(file.bytes.length).toBeLessThan(400_000);
    expect(tinyModelFile().sha256).toBe(file.sha256);
  });

  it('tokenizes: whole-word tokens where the vocabulary has them, bytes otherwise, and back', () => {
    const tokens = model.runtime.model.tokenize('echo héllo');
    expect(model.tokenize('echo héllo')).toEqual([...tokens]);
    expect(model.runtime.model.detokenize(tokens)).toBe('echo héllo');
    // "▁echo" and "▁" are vocabulary pieces; h, l, l, o one byte token each, "é" two.
    expect(tokens).toHaveLength(8);
    expect(model.runtime.model.detokenize(tokens.slice(0, 1))).toBe('echo');
  });

  it('generates text, streams it, and reports token usage and a cut-off finish', async () => {
    const streamed: string[] = [];
    const c = await model.complete(messages, {
      maxTokens: 12,
      temperature: 0.8,
      seed: 3,
      onToken: (t) => streamed.push(t),
    });
    expect(c.finishReason).toBe('length');
    expect(c.usage).toMatchObject({ completionTokens: 12, estimated: false });
    expect(c.usage.promptTokens).toBeGreaterThan(20);
    expect(streamed.join('')).toBe(c.message.content);
    expect(c.message.toolCalls).toBeUndefined();
  });

  it('constrains decoding so every reply is a bash tool call the agent parses', async () => {
    const finishes: string[] = [];
    for (const seed of [1, 2, 3, 4, 5, 6]) {
      const c = await model.complete(messages, { tools: [BASH_TOOL], maxTokens: 600, temperature: 1, seed });
      const parsed = parseToolAction(c);
      expect(parsed.ok, `seed ${seed}: ${JSON.stringify(c.message)}`).toBe(true);
      expect(c.message.toolCalls).toHaveLength(1);
      expect(JSON.parse(c.message.toolCalls![0]!.arguments)).toEqual({ command: expect.any(String) });
      expect(c.usage.completionTokens).toBeLessThanOrEqual(600);
      finishes.push(c.finishReason);
    }
    // Random weights rarely pick the closing quote; a command that ran into its length bound is
    // reported as cut off (`length`: the agent does not run it), the others as tool calls.
    expect(finishes).toContain('tool_calls');
    expect(finishes.every((f) => f === 'tool_calls' || f === 'length')).toBe(true);
  });

  it('keeps a reply well-formed even when maxTokens is small', async () => {
    const c = await model.complete(messages, { tools: [BASH_TOOL], maxTokens: 80, temperature: 1, seed: 7 });
    expect(parseToolAction(c).ok).toBe(true);
    expect(c.usage.completionTokens).toBeLessThanOrEqual(80);
  });

  it('continues a conversation that holds earlier tool calls and results', async () => {
    const first = await model.complete(messages, {
      tools: [BASH_TOOL],
      maxTokens: 600,
      temperature: 1,
      seed: 9,
    });
    const call = first.message.toolCalls![0]!;
    const next = await model.complete(
      [...messages, first.message, { role: 'tool', toolCallId: call.id, content: 'exit code 0\nok' }],
      { tools: [BASH_TOOL], maxTokens: 600, temperature: 1, seed: 10 },
    );
    expect(parseToolAction(next).ok).toBe(true);
    expect(next.usage.promptTokens).toBeGreaterThan(first.usage.promptTokens);
  });

  it('is ready for /readyz while loaded, and not once unloaded', async () => {
    const other = await loadTinyModel(file.path);
    const check = modelReadiness(other);
    expect((await runReadiness(check ? [check] : [])).checks).toMatchObject([
      { name: 'model', ok: true, detail: expect.stringMatching(/^embedded /) },
    ]);
    await other.dispose();
    expect((await runReadiness(check ? [check] : [])).checks).toMatchObject([
      { name: 'model', ok: false, error: expect.stringContaining('unloaded') },
    ]);
  });

  it('stops when the caller aborts', async () => {
    const controller = new AbortController();
    const pending = model.complete(messages, {
      maxTokens: 2000,
      signal: controller.signal,
      onToken: () => controller.abort(),
    });
    await expect(pending).rejects.toSatisfy(isAbortError);
    // The model stays usable after an abort.
    const after = await model.complete(messages, { maxTokens: 4 });
    expect(after.usage.completionTokens).toBe(4);
  });

  it('refuses to load when the model and its context do not fit in free memory', async () => {
    const err = await loadTinyModel(file.path, { freeBytes: 1024 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ModelError);
    expect((err as ModelError).code).toBe('model_too_large');
    expect((err as ModelError).hint).toContain('granite-4.0-micro:Q4_K_M');
  });
});
