import { describe, expect, it } from 'vitest';
import {
  capChars,
  compact,
  estimateTokens,
  formatObservation,
  loadPrompts,
  type ObservationMeta,
} from '../../src/agent/index.ts';
import type { ChatMessage } from '../../src/core/model.ts';
import { unansweredToolCalls } from './fixtures.ts';

const prompts = loadPrompts();

/** system, task, then `n` (assistant command, user observation) pairs of `size` characters. */
function conversation(n: number, size: number) {
  const messages: ChatMessage[] = [
    { role: 'system', content: 'S'.repeat(size) },
    { role: 'user', content: 'T'.repeat(size) },
  ];
  const observations: ObservationMeta[] = [];
  for (let i = 0; i < n; i++) {
    messages.push({ role: 'assistant', content: `\`\`\`bash\ncat f${i}\n\`\`\`` });
    messages.push({ role: 'user', content: `line\n`.repeat(size / 5) });
    observations.push({ index: messages.length - 1, command: `cat f${i}`, exitCode: i % 2 });
  }
  return { messages, observations };
}

describe('estimateTokens', () => {
  it('counts content and tool-call arguments, conservatively', () => {
    const text = [{ role: 'user' as const, content: 'x'.repeat(350) }];
    expect(estimateTokens(text)).toBe(Math.ceil((350 + 16) / 3.5));
    const withCall: ChatMessage[] = [
      { role: 'assistant', content: '', toolCalls: [{ id: 'c', name: 'bash', arguments: 'y'.repeat(100) }] },
    ];
    expect(estimateTokens(withCall)).toBeGreaterThan(
      estimateTokens([{ role: 'assistant', content: '' }]) + 28,
    );
  });
});

describe('compact', () => {
  const compactTo = (messages: ChatMessage[], observations: ObservationMeta[], target: number) =>
    compact({ messages, observations }, target, prompts);

  it('does nothing when the conversation fits', () => {
    const { messages, observations } = conversation(3, 1000);
    const before = structuredClone(messages);
    expect(compactTo(messages, observations, 1_000_000)).toBe(0);
    expect(messages).toEqual(before);
  });

  it('elides the oldest observations first and stops once it fits', () => {
    const { messages, observations } = conversation(6, 2000);
    const budget = estimateTokens(messages) - 1000;
    const elided = compactTo(messages, observations, budget);
    expect(elided).toBe(2);
    expect(estimateTokens(messages)).toBeLessThanOrEqual(budget);
    expect(messages[3]!.content).toBe('[output of `cat f0` elided to save space: 401 lines, returncode 0]');
    expect(messages[5]!.content).toContain('`cat f1`');
    expect(messages[5]!.content).toContain('returncode 1');
    expect(messages[7]!.content.startsWith('line\n')).toBe(true);
    expect(observations.map((o) => o.note !== undefined)).toEqual([true, true, false, false, false, false]);
  });

  it('never touches the system prompt, the task or the last turns, even over budget', () => {
    const { messages, observations } = conversation(5, 2000);
    // A bogus observation entry pointing at the task must be refused too.
    observations.unshift({ index: 1, command: 'task', exitCode: 0 });
    const head = messages.slice(0, 2);
    const tail = messages.slice(-4);
    compactTo(messages, observations, 10);
    expect(messages.slice(0, 2)).toEqual(head);
    expect(messages.slice(-4)).toEqual(tail);
    expect(messages.filter((m) => m.content.includes('elided to save space'))).toHaveLength(1);
  });

  it('removes the oldest elided steps whole when their notes alone are too long, and says so', () => {
    const { messages, observations } = conversation(5, 2000);
    const tail = messages.slice(-4);
    const removed = { messages, observations, removedSteps: 0 };
    compact(removed, 10, prompts);
    // Steps 0 and 1 went; step 2 stays (elided) to carry the count; steps 3 and 4 are the recent turns.
    expect(removed.removedSteps).toBe(2);
    expect(messages.map((m) => m.role)).toEqual([
      'system',
      'user',
      'assistant',
      'user',
      ...tail.map((m) => m.role),
    ]);
    expect(messages[2]!.content).toContain('cat f2');
    expect(messages[3]!.content).toBe(
      '[2 earlier steps elided to save space]\n[output of `cat f2` elided to save space: 401 lines, returncode 0]',
    );
    expect(messages.slice(-4)).toEqual(tail);
    expect(removed.observations.map((o) => o.index)).toEqual([3, 5, 7]);
  });

  it('removes a tool-call step with its answers, so every call stays answered', () => {
    const messages: ChatMessage[] = [
      { role: 'system', content: 'S' },
      { role: 'user', content: 'T' },
    ];
    const observations: ObservationMeta[] = [];
    for (let i = 0; i < 6; i++) {
      messages.push({
        role: 'assistant',
        content: '',
        toolCalls: [{ id: `c${i}`, name: 'bash', arguments: '{}' }],
      });
      messages.push({ role: 'tool', toolCallId: `c${i}`, content: 'x'.repeat(3000) });
      observations.push({ index: messages.length - 1, command: `cmd ${i}`, exitCode: 0 });
    }
    compact({ messages, observations }, 10, prompts);
    expect(unansweredToolCalls(messages)).toEqual([]);
    expect(messages.map((m) => m.role)).toEqual([
      'system',
      'user',
      'assistant',
      'tool',
      'assistant',
      'tool',
      'assistant',
      'tool',
    ]);
    expect(messages[3]!.content).toMatch(/^\[3 earlier steps elided to save space\]\n\[output of `cmd 3`/);
  });

  it('does not elide twice and shortens long commands in the note', () => {
    const { messages, observations } = conversation(4, 500);
    observations[1]!.command = `grep -rn ${'x'.repeat(200)}`;
    expect(compactTo(messages, observations, 10)).toBe(2);
    expect(messages[3]!.content).toMatch(/\[output of `grep -rn x{68}\.\.\.` elided/);
    expect(compactTo(messages, observations, 10)).toBe(0);
  });

  it('replaces messages instead of mutating them, so earlier copies stay as sent', () => {
    const { messages, observations } = conversation(4, 500);
    const sent = [...messages];
    const original = messages[3]!.content;
    compactTo(messages, observations, 10);
    expect(sent[3]!.content).toBe(original);
    expect(messages[3]).not.toBe(sent[3]);
  });

  it('takes its note from the elided template', () => {
    const { messages, observations } = conversation(3, 500);
    const custom = { ...prompts, elided: '\n(gone: {{command}} / {{lines}} / {{returncode}})\n' };
    compact({ messages, observations }, 10, custom);
    expect(messages[3]!.content).toBe('(gone: cat f0 / 101 / 0)');
  });
});

describe('observations', () => {
  it('keeps head and tail of long output and says how much is gone', () => {
    const text = `${'a'.repeat(600)}${'b'.repeat(400)}`;
    const capped = capChars(text, 100, prompts);
    expect(capped.startsWith('a'.repeat(40))).toBe(true);
    expect(capped.endsWith('b'.repeat(60))).toBe(true);
    expect(capped).toContain('[... 900 characters elided; narrow the command to see them ...]');
    expect(capChars('short', 100, prompts)).toBe('short');
  });

  it('renders the exit code and output, or the timeout note', () => {
    const base = { truncated: false, elidedBytes: 0, durationMs: 1 };
    expect(
      formatObservation(prompts, { ...base, output: 'hi', exitCode: 3, timedOut: false }, 100, 5000),
    ).toBe('<returncode>3</returncode>\n<output>\nhi\n</output>\n');
    const timedOut = formatObservation(
      prompts,
      { ...base, output: 'partial', exitCode: 137, timedOut: true },
      100,
      5000,
    );
    expect(timedOut).toContain('stopped after 5 seconds');
    expect(timedOut).toContain('<output>\npartial\n</output>');
    expect(timedOut).not.toContain('<returncode>');
  });
});
