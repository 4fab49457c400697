import { describe, expect, it } from 'vitest';
import { isAbortError, ModelError } from '../../src/core/errors.ts';
import type { Model } from '../../src/core/model.ts';
import { createScriptedModel } from '../../src/model/scripted-model.ts';

describe('createScriptedModel', () => {
  it('replies in order, records the messages, and runs out loudly', async () => {
    const model = createScriptedModel([
      'first',
      {
        toolCalls: [{ name: 'bash', arguments: { command: 'ls' } }],
        usage: { promptTokens: 10, completionTokens: 3 },
      },
      (messages) => `saw ${messages.length} messages`,
    ]) satisfies Model;
    const history = [{ role: 'user' as const, content: 'hi' }];
    const tokens: string[] = [];
    const a = await model.complete(history, { onToken: (t) => tokens.push(t) });
    expect(a.message.content).toBe('first');
    expect(a.finishReason).toBe('stop');
    expect(a.usage.estimated).toBe(true);
    expect(tokens).toEqual(['first']);
    const b = await model.complete(history);
    expect(b.finishReason).toBe('tool_calls');
    expect(b.message.toolCalls).toEqual([{ id: 'call_0', name: 'bash', arguments: '{"command":"ls"}' }]);
    expect(b.usage).toEqual({ promptTokens: 10, completionTokens: 3, estimated: false });
    history.push({ role: 'user', content: 'more' });
    expect((await model.complete(history)).message.content).toBe('saw 2 messages');
    expect(model.calls.map((c) => c.length)).toEqual([1, 1, 2]);
    expect(model.remaining).toBe(0);
    const err = await model.complete(history).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ModelError);
    expect((err as ModelError).code).toBe('script_exhausted');
  });

  it('throws scripted errors and honours an aborted signal', async () => {
    const overflow = new ModelError('too long', { code: 'context_overflow' });
    const model = createScriptedModel([{ error: overflow }, 'unused']);
    await expect(model.complete([])).rejects.toBe(overflow);
    const controller = new AbortController();
    controller.abort();
    const err = await model.complete([], { signal: controller.signal }).catch((e: unknown) => e);
    expect(isAbortError(err)).toBe(true);
    expect(model.remaining).toBe(1);
  });
});
