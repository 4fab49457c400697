/**
 * Granite's own tool-call syntax, read off its published chat template (test/fixtures), the grammar
 * built from it, and the round trip between a reply and our messages.
 */
import { readFileSync } from 'node:fs';
import { Template } from '@huggingface/jinja';
import { describe, expect, it } from 'vitest';
import type { ChatMessage } from '../../../src/core/model.ts';
import { toChatHistory } from '../../../src/model/embedded/prompt.ts';
import {
  DEFAULT_TOOL_CALL_SYNTAX,
  deriveToolCallSyntax,
  parseToolCall,
  renderToolCall,
  toolCallGrammar,
} from '../../../src/model/embedded/tool-syntax.ts';

const granite = new Template(
  readFileSync(new URL('../../fixtures/chat-templates/granite-4.0.jinja', import.meta.url), 'utf8'),
);
const render = (messages: Record<string, unknown>[], generation: boolean) =>
  granite.render({
    messages,
    add_generation_prompt: generation,
    bos_token: '',
    eos_token: '<|end_of_text|>',
  });

describe('the tool-call syntax of a chat template', () => {
  it("reads Granite 4.0's <tool_call> syntax off its template", () => {
    expect(deriveToolCallSyntax(render)).toEqual({
      separator: '\n',
      prefix: '<tool_call>\n{"name": "bash", "arguments": {"command": "',
      suffix: '"}}\n</tool_call>',
    });
  });

  it('gives up (undefined) on a template that renders no tool calls', () => {
    const plain = new Template('{% for m in messages %}{{ m.role }}: {{ m.content }}\n{% endfor %}');
    expect(
      deriveToolCallSyntax((messages, generation) =>
        plain.render({ messages, add_generation_prompt: generation }),
      ),
    ).toBeUndefined();
  });

  it('renders exactly what the template renders for the same call, and parses it back', () => {
    const command = 'printf "a\\tb\\n" > f && grep -n "x" src/*.js';
    const text = renderToolCall(DEFAULT_TOOL_CALL_SYNTAX, 'Check the "file" first.', command);
    const viaTemplate = render(
      [
        { role: 'user', content: 'U' },
        {
          role: 'assistant',
          content: 'Check the "file" first.',
          tool_calls: [{ type: 'function', function: { name: 'bash', arguments: { command } } }],
        },
      ],
      false,
    );
    expect(viaTemplate).toContain(`<|start_of_role|>assistant<|end_of_role|>${text}<|end_of_text|>`);
    expect(parseToolCall(DEFAULT_TOOL_CALL_SYNTAX, text)).toEqual({
      thought: 'Check the "file" first.',
      command,
    });
    expect(
      parseToolCall(DEFAULT_TOOL_CALL_SYNTAX, renderToolCall(DEFAULT_TOOL_CALL_SYNTAX, '', 'ls')),
    ).toEqual({
      thought: '',
      command: 'ls',
    });
    // Cut before the end of the call: not a call.
    expect(parseToolCall(DEFAULT_TOOL_CALL_SYNTAX, text.slice(0, -3))).toBeUndefined();
  });

  it('bounds the thought by the configured limit, not 200 characters', () => {
    const roomy = toolCallGrammar(DEFAULT_TOOL_CALL_SYNTAX, { thoughtMax: 1500, maxTokens: 8192 });
    expect(roomy.thoughtMax).toBe(1500);
    expect(roomy.gbnf).toContain('thought ::= tchar{1,1500}');
    // llama.cpp's limit on a repetition count.
    expect(roomy.commandMax).toBe(1999);
    // The reply always closes within maxTokens: the thought gets at most a quarter of it.
    const tight = toolCallGrammar(DEFAULT_TOOL_CALL_SYNTAX, { thoughtMax: 1500, maxTokens: 2048 });
    expect(tight.thoughtMax).toBeLessThanOrEqual(512);
    expect(tight.thoughtMax + tight.commandMax + 64).toBeLessThanOrEqual(2048);
    // The thought cannot start the call by accident: no "<" (0x3c) in it.
    expect(tight.gbnf).toContain('tchar ::= [\\x20-\\x3b\\x3d-\\x7e\\n\\t]');
  });
});

describe('chat history for templates node-llama-cpp renders', () => {
  it('writes tool calls in the <tool_call> syntax and joins tool results with feedback', () => {
    const bash = (id: string, content: string, args: string): ChatMessage => ({
      role: 'assistant',
      content,
      toolCalls: [{ id, name: 'bash', arguments: args }],
    });
    const messages: ChatMessage[] = [
      { role: 'system', content: 'sys' },
      { role: 'user', content: 'task' },
      bash('c1', 'look', '{"command":"ls"}'),
      { role: 'tool', toolCallId: 'c1', content: 'exit 0' },
      { role: 'user', content: 'tests fail' },
      bash('c2', 'hm', '{"command": "ls'),
    ];
    expect(toChatHistory(messages, DEFAULT_TOOL_CALL_SYNTAX)).toEqual([
      { type: 'system', text: 'sys' },
      { type: 'user', text: 'task' },
      { type: 'model', response: [renderToolCall(DEFAULT_TOOL_CALL_SYNTAX, 'look', 'ls')] },
      { type: 'user', text: 'exit 0\n\ntests fail' },
      // Malformed arguments stay visible instead of being dropped.
      { type: 'model', response: ['hm\n{"command": "ls'] },
    ]);
  });
});
