import { describe, expect, it } from 'vitest';
import type { ChatMessage } from '../../../src/core/model.ts';
import {
  actionGrammar,
  parseAction,
  renderAction,
  toChatHistory,
} from '../../../src/model/embedded/history.ts';

describe('chat history for node-llama-cpp', () => {
  it('renders tool calls as the JSON the grammar writes and joins tool results with feedback', () => {
    const messages: ChatMessage[] = [
      { role: 'system', content: 'sys' },
      { role: 'user', content: 'task' },
      {
        role: 'assistant',
        content: 'look',
        toolCalls: [{ id: 'c1', name: 'bash', arguments: '{"command":"ls"}' }],
      },
      { role: 'tool', toolCallId: 'c1', content: 'exit 0' },
      { role: 'user', content: 'tests fail' },
      { role: 'assistant', content: '```bash\nls\n```' },
    ];
    expect(toChatHistory(messages)).toEqual([
      { type: 'system', text: 'sys' },
      { type: 'user', text: 'task' },
      { type: 'model', response: ['{"thought":"look","command":"ls"}'] },
      { type: 'user', text: 'exit 0\n\ntests fail' },
      { type: 'model', response: ['```bash\nls\n```'] },
    ]);
  });

  it('keeps malformed tool-call arguments visible instead of dropping them', () => {
    const [item] = toChatHistory([
      {
        role: 'assistant',
        content: 'hm',
        toolCalls: [{ id: 'c', name: 'bash', arguments: '{"command": "ls' }],
      },
    ]);
    expect(item).toEqual({ type: 'model', response: ['hm\n{"command": "ls'] });
  });

  it('parses what it renders, including escapes', () => {
    const text = renderAction('fix "it"', 'printf "a\\tb\\n" > f');
    expect(parseAction(text)).toEqual({ thought: 'fix "it"', command: 'printf "a\\tb\\n" > f' });
    expect(parseAction('{"thought":"x"}')).toBeUndefined();
    expect(parseAction('{"thought":"x","command":"l')).toBeUndefined();
  });
});

describe('the action grammar', () => {
  it('bounds the strings so the whole object fits in maxTokens at two bytes per character', () => {
    for (const maxTokens of [80, 600, 2048, 8192]) {
      const g = actionGrammar(maxTokens);
      expect(32 + 2 * (g.thoughtMax + g.commandMax)).toBeLessThanOrEqual(Math.max(maxTokens, 64));
      expect(g.gbnf).toContain(`command ::= unit{1,${g.commandMax}}`);
    }
    expect(actionGrammar(2048).commandMax).toBeGreaterThan(800);
  });

  it('allows only printable ASCII and JSON escapes inside strings', () => {
    const unit = actionGrammar(600)
      .gbnf.split('\n')
      .find((l) => l.startsWith('unit ::='));
    expect(unit).toBe('unit ::= [ !#-[\\]-~] | "\\\\" ["\\\\/nt]');
  });
});
