/**
 * Issue 15 item 4: the embedded runtime speaks Granite's own format. A tiny GGUF carrying Granite
 * 4.0's published chat template (test/fixtures/chat-templates/granite-4.0.jinja) is loaded with
 * node-llama-cpp; for a conversation with a system prompt, tool calls and tool responses, the tokens
 * node-llama-cpp evaluates are exactly the template's own rendering with @huggingface/jinja (the
 * engine Hugging Face's chat templates run on), written here independently as an OpenAI-shaped
 * conversation. The reply is a bash call in the template's `<tool_call>` syntax, and the next turn
 * reuses the whole previous prompt from the KV cache.
 */
import { Template } from '@huggingface/jinja';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BASH_TOOL } from '../../../src/agent/actions.ts';
import type { ChatMessage } from '../../../src/core/model.ts';
import type { EmbeddedModel } from '../../../src/model/embedded/embedded-model.ts';
import { GRANITE_TEMPLATE, loadTinyModel, tinyGraniteModelFile } from '../../support/gguf-model.ts';

const conversation: ChatMessage[] = [
  { role: 'system', content: 'You fix bugs in the repository with one shell command per reply.' },
  { role: 'user', content: 'add(2, 3) returns -1. Fix it.' },
  {
    role: 'assistant',
    content: 'First look at the files.',
    toolCalls: [{ id: 'call_1', name: 'bash', arguments: '{"command":"ls -la"}' }],
  },
  { role: 'tool', toolCallId: 'call_1', content: 'exit code 0\nadd.js\ntest.js' },
  {
    role: 'assistant',
    content: '',
    toolCalls: [{ id: 'call_2', name: 'bash', arguments: '{"command":"grep -n \\"a - b\\" add.js"}' }],
  },
  { role: 'tool', toolCallId: 'call_2', content: 'exit code 0\n2:  return a - b;' },
  { role: 'user', content: 'Reminder: 30 steps left.' },
];

/** The same conversation as a Hugging Face chat-template user writes it. */
const openAiShaped = [
  { role: 'system', content: 'You fix bugs in the repository with one shell command per reply.' },
  { role: 'user', content: 'add(2, 3) returns -1. Fix it.' },
  {
    role: 'assistant',
    content: 'First look at the files.',
    tool_calls: [
      { id: 'call_1', type: 'function', function: { name: 'bash', arguments: { command: 'ls -la' } } },
    ],
  },
  { role: 'tool', tool_call_id: 'call_1', content: 'exit code 0\nadd.js\ntest.js' },
  {
    role: 'assistant',
    content: '',
    tool_calls: [
      {
        id: 'call_2',
        type: 'function',
        function: { name: 'bash', arguments: { command: 'grep -n "a - b" add.js' } },
      },
    ],
  },
  { role: 'tool', tool_call_id: 'call_2', content: 'exit code 0\n2:  return a - b;' },
  { role: 'user', content: 'Reminder: 30 steps left.' },
];

const rendered = new Template(GRANITE_TEMPLATE).render({
  messages: openAiShaped,
  tools: [
    {
      type: 'function',
      function: {
        name: BASH_TOOL.name,
        description: BASH_TOOL.description,
        parameters: BASH_TOOL.parameters,
      },
    },
  ],
  add_generation_prompt: true,
  bos_token: '',
  eos_token: '<|end_of_text|>',
});

const file = tinyGraniteModelFile();
let model: EmbeddedModel;

beforeAll(async () => {
  model = await loadTinyModel(file.path, { maxTokens: 400 });
}, 60_000);
afterAll(async () => {
  await model?.dispose();
});

describe("the embedded runtime on a GGUF with Granite 4.0's chat template", () => {
  it('renders with the GGUF’s own template and reads the <tool_call> syntax off it', () => {
    expect(model.prompt.usesTemplate).toBe(true);
    expect(model.prompt.syntax).toEqual({
      separator: '\n',
      prefix: '<tool_call>\n{"name": "bash", "arguments": {"command": "',
      suffix: '"}}\n</tool_call>',
    });
    // Sanity of the independent rendering: Granite's markers, tools, calls and responses are there.
    expect(rendered).toContain('<tools>\n{"type": "function", "function": {"name": "bash"');
    expect(rendered).toContain(
      '<|start_of_role|>assistant<|end_of_role|>First look at the files.\n<tool_call>\n{"name": "bash", "arguments": {"command": "ls -la"}}\n</tool_call><|end_of_text|>',
    );
    expect(rendered).toContain('<|start_of_role|>user<|end_of_role|>\n<tool_response>\nexit code 0\nadd.js');
    expect(rendered.endsWith('<|start_of_role|>assistant<|end_of_role|>')).toBe(true);
  });

  it('evaluates exactly the template’s rendering, then writes a bash call in Granite’s syntax', async () => {
    // With random weights a reply either closes its call or runs into the command's bound (then
    // it is `length`); take the first of a few fixed seeds that closes it.
    let c = await model.complete(conversation, { tools: [BASH_TOOL], temperature: 1, seed: 5 });
    for (const seed of [6, 7, 10, 11]) {
      if (c.finishReason === 'tool_calls') break;
      c = await model.complete(conversation, { tools: [BASH_TOOL], temperature: 1, seed });
    }
    const expected = model.runtime.model.tokenize(rendered, true);
    const evaluated = model.sequence.contextTokens;
    expect(c.usage.promptTokens).toBe(expected.length);
    expect(evaluated.slice(0, expected.length)).toEqual(expected);
    expect(model.runtime.model.detokenize(evaluated.slice(0, expected.length), true)).toBe(rendered);
    // The role markers are single control tokens, as in Granite's tokenizer, not spelled out.
    expect(
      expected.filter((t) => model.runtime.model.detokenize([t], true) === '<|start_of_role|>').length,
    ).toBe(8);

    // What the model wrote after the prompt (up to its end-of-text token) is the template's syntax
    // for its call…
    const written = model.runtime.model
      .detokenize(evaluated.slice(expected.length), true)
      .replace(/<\|end_of_text\|>$/, '');
    expect(c.finishReason).toBe('tool_calls');
    {
      const call = c.message.toolCalls?.[0];
      const { command } = JSON.parse(call?.arguments ?? '{}') as { command: string };
      const rerendered = new Template(GRANITE_TEMPLATE).render({
        messages: [
          { role: 'user', content: 'U' },
          {
            role: 'assistant',
            content: c.message.content,
            tool_calls: [{ type: 'function', function: { name: 'bash', arguments: { command } } }],
          },
        ],
        add_generation_prompt: false,
      });
      // …exactly as the template renders that assistant message in the next turn's prompt.
      expect(rerendered).toContain(`<|start_of_role|>assistant<|end_of_role|>${written}`);
      expect(written).toContain('<tool_call>\n{"name": "bash", "arguments": {"command": "');
    }
  });

  it('the next turn reuses the whole previous prompt from the KV cache', async () => {
    const first = await model.complete(conversation, { tools: [BASH_TOOL], temperature: 1, seed: 5 });
    const next = await model.complete(
      [
        ...conversation,
        first.message,
        { role: 'tool', toolCallId: first.message.toolCalls?.[0]?.id, content: 'ok' },
      ],
      { tools: [BASH_TOOL], temperature: 1, seed: 6 },
    );
    expect(next.usage.cachedPromptTokens).toBeGreaterThanOrEqual(first.usage.promptTokens);
    expect(next.usage.promptTokens - (next.usage.cachedPromptTokens ?? 0)).toBeLessThan(
      first.usage.completionTokens + 40,
    );
  });
});
