import { describe, expect, it } from 'vitest';
import { measurePrefixReuse, renderMessage, tokenPieces } from '../../bench/prefix-cache/meter.ts';

const user = (content: string) => ({ role: 'user', content });
const render = (...contents: string[]) => contents.map((c) => renderMessage(user(c))).join('');

describe('prefix meter', () => {
  it('charges only what follows the common prefix, and counts a rewrite as an invalidation', () => {
    const requests = [
      { messages: [user('system'), user('task')] },
      { messages: [user('system'), user('task'), user('obs one')] },
      { messages: [user('system'), user('task'), user('[elided]'), user('obs two')] },
    ];
    const m = measurePrefixReuse(requests);
    expect(m.requests).toBe(3);
    expect(m.invalidations).toBe(1);
    const first = render('system', 'task').length;
    const second = renderMessage(user('obs one')).length;
    // The third prompt shares everything up to the start of the rewritten message's content.
    const shared = render('system', 'task').length + '<|start_of_role|>user<|end_of_role|>'.length;
    const third = render('system', 'task', '[elided]', 'obs two').length - shared;
    expect(m.evaluatedChars).toBe(first + second + third);
    expect(m.appendedChars).toBe(first + second + renderMessage(user('obs two')).length);
    expect(m.evaluatedTokens).toBeGreaterThan(m.appendedTokens);
  });

  it('evaluates exactly what was appended when every prompt extends the previous one', () => {
    const requests = [1, 2, 3, 4].map((n) => ({
      messages: Array.from({ length: n }, (_, i) => user(`message ${i} with some words`)),
    }));
    const m = measurePrefixReuse(requests);
    expect(m.invalidations).toBe(0);
    expect(m.evaluatedChars).toBe(m.appendedChars);
    expect(m.evaluatedTokens).toBe(m.appendedTokens);
  });

  it('splits text into pre-tokenizer pieces', () => {
    expect(tokenPieces("it's value_12 = f(3)")).toEqual([
      'it',
      "'s",
      ' value',
      '_',
      '12',
      ' =',
      ' f',
      '(',
      '3',
      ')',
    ]);
  });
});
