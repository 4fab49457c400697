import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { TraceEvent } from '../../src/core/trace.ts';
import { createTraceWriter, findSecrets, readTrace, renderTraceMarkdown } from '../../src/trace/index.ts';
import { activeMarkup, scanMarkdown } from './markdown-check.ts';

const GOLDEN = join(import.meta.dirname, '../golden/trace');
const usage = { promptTokens: 1200, completionTokens: 80, estimated: false };
const FAKE_TOKEN = `ghs_${'Zq8'.repeat(27)}`;
const SECRET = 'configured-model-key-42';

function step(n: number, command: string, observation: string, thought = '', exitCode = 0): TraceEvent {
  return {
    type: 'step',
    at: 't',
    step: n,
    thought,
    command,
    observation,
    exitCode,
    timedOut: false,
    modelMs: 900,
    execMs: 40,
    usage,
  };
}

/** Goes through the writer, as a real run does, so redaction is part of what the golden shows. */
function representativeTrace(extraSteps = 0): TraceEvent[] {
  const dir = mkdtempSync(join(tmpdir(), 'trace-md-'));
  try {
    const writer = createTraceWriter(join(dir, 'trace.jsonl'), { secrets: [SECRET] });
    const longLog = Array.from({ length: 3000 }, (_, i) => `ok ${i + 1} - test case number ${i + 1}`).join(
      '\n',
    );
    const events: TraceEvent[] = [
      {
        type: 'start',
        at: '2026-01-01T00:00:00Z',
        taskId: 'octo/calc#7',
        model: 'granite4:tiny-h',
        attempt: 1,
      },
      { type: 'message', at: 't', role: 'system', content: 'You are a helpful assistant.' },
      {
        type: 'validation',
        at: 't',
        phase: 'baseline',
        summary: '1 failing: test/add.test.js > adds negatives',
        passed: false,
      },
      step(
        1,
        'grep -rn "function add" src',
        'src/add.js:1:export function add(a, b) {',
        'Find where `add` lives. cc @octo/maintainers, see #7',
      ),
      {
        type: 'format_error',
        at: 't',
        step: 2,
        reply: 'I will now edit the file.',
        feedback: 'Reply with exactly one ```bash block.',
      },
      step(
        2,
        "sed -n '1,20p' src/add.js",
        `export function add(a, b) {\n  return a - b; // token ${FAKE_TOKEN}\n}`,
        `The key ${SECRET} is not needed.`,
      ),
      step(3, 'npm test 2>&1', longLog, 'Run the tests. ![x](https://evil.example/?d=1) <img src=x>', 1),
      ...Array.from({ length: extraSteps }, (_, i) =>
        step(4 + i, `ls -la dir${i}`, `total ${i}\n-rw-r--r-- 1 agent agent 10 file${i}`),
      ),
      step(
        4 + extraSteps,
        "sed -i 's/a - b/a + b/' src/add.js && npm test",
        'ok 3000 - all passed',
        'Fixes #999',
      ),
      { type: 'validation', at: 't', phase: 'after', summary: 'no new failures; 1 fixed', passed: true },
      { type: 'end', at: 't', exitStatus: 'submitted', patchBytes: 212 },
    ];
    for (const e of events) writer.write(e);
    return readTrace(join(dir, 'trace.jsonl'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function expectGolden(name: string, actual: string): void {
  const path = join(GOLDEN, name);
  if (process.env.UPDATE_GOLDEN === '1') {
    mkdirSync(GOLDEN, { recursive: true });
    writeFileSync(path, actual);
  }
  // A missing golden is a failure, not a file the run writes into the checkout.
  if (!existsSync(path))
    throw new Error(`golden file ${path} missing; run with UPDATE_GOLDEN=1 to create it`);
  expect(actual).toBe(readFileSync(path, 'utf8'));
}

describe('renderTraceMarkdown', () => {
  it('renders a representative trace (golden)', () => {
    const md = renderTraceMarkdown(representativeTrace(), { title: 'Agent trace' });
    expectGolden('representative.md', md);
    expect(md).toContain('[REDACTED]');
    expect(md).not.toContain(FAKE_TOKEN.slice(0, 12));
    expect(md).not.toContain(SECRET);
    expect(findSecrets(md, [SECRET])).toEqual([]);
    expect(md).toContain('characters elided');
    expect(activeMarkup(md)).toEqual([]);
  });

  it('elides whole middle steps to fit a small limit (golden)', () => {
    const md = renderTraceMarkdown(representativeTrace(30), { title: 'Agent trace', maxChars: 4_000 });
    expectGolden('representative-elided.md', md);
    expect(md.length).toBeLessThanOrEqual(4_000);
    expect(md).toMatch(/… \d+ steps? .*elided \(see the full trace in the run's artifacts\) …/);
    expect(md).toContain('Step 1 ·');
    expect(md).toContain('Step 34 ·');
    expect(md).toContain('**Result:** submitted');
    expect(activeMarkup(md)).toEqual([]);
  });

  it('has a checker that catches live markup', () => {
    expect(activeMarkup('```\ncode\n``')).toContain('unclosed code fence');
    expect(activeMarkup('````\n```\n````\n@org/team')).toHaveLength(1);
    expect(activeMarkup('<details>\n\nx')).toHaveLength(1);
    for (const live of ['</details>', 'hi @org', 'Fixes #999', '![x](y)', 'https://e', '`x`', '&#64;', '$x$'])
      expect(activeMarkup(`text ${live}`), live).not.toEqual([]);
    expect(activeMarkup('<summary>@org</summary>')).toHaveLength(1);
    expect(activeMarkup('\\[x\\] \\! @\u200Bo #\u200B1\n````\n@org ``` #1\n````')).toEqual([]);
  });

  it('keeps hostile input inside its code block or inert', () => {
    const hostile = [
      ...Array.from({ length: 18 }, (_, i) => '`'.repeat(i + 3)),
      '</details>',
      '<details><summary>x</summary>',
      '@org/team',
      '![x](https://evil/?d=)',
      'Fixes #999',
      'GH-12 www.evil.example <!-- x --> &#64;user [l]: https://evil $$x$$',
      '~~~',
    ].join('\n');
    const events: TraceEvent[] = [
      step(1, hostile, hostile, hostile, 2),
      { type: 'format_error', at: 't', step: 2, reply: hostile, feedback: hostile },
      { type: 'validation', at: 't', phase: 'after', summary: hostile, passed: false },
      { type: 'end', at: 't', exitStatus: 'error', detail: hostile, patchBytes: 0 },
    ];
    const md = renderTraceMarkdown(events, { title: hostile });
    expect(activeMarkup(md)).toEqual([]);
    // Code blocks: one command and one observation per step, one reply per format error.
    expect(scanMarkdown(md).fences).toBe(3);
    expect(md).toContain('`'.repeat(21)); // the fence outgrows the 20-backtick run inside
  });

  it('never throws, never exceeds the limit, never lets markup out (seeded random input)', () => {
    let seed = 20260101;
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      return seed / 2_147_483_648;
    };
    const pieces = [
      '`',
      '```',
      '`'.repeat(12),
      '</details>',
      '<summary>',
      '@a',
      '#1',
      '![',
      '](',
      'https://e',
      '\r',
      '\n',
      '\\',
      '~~~',
      '&#64;',
      '$',
      '\u200b',
      '\ud83d',
      '\ude00',
      '\u0000',
      '\u001b[31m',
      ' ',
      'x',
      'GH-1',
      'www.',
      '    ',
    ];
    const text = (n: number) =>
      Array.from(
        { length: Math.floor(random() * n) },
        () => pieces[Math.floor(random() * pieces.length)],
      ).join('');
    for (let round = 0; round < 150; round++) {
      const events: TraceEvent[] = Array.from({ length: 1 + Math.floor(random() * 12) }, (_, i) =>
        random() < 0.8
          ? step(i, text(40), text(400), text(60), Math.floor(random() * 3))
          : { type: 'format_error', at: 't', step: i, reply: text(50), feedback: text(20) },
      );
      events.push({ type: 'end', at: 't', exitStatus: 'limits_exceeded', detail: text(20), patchBytes: 0 });
      const maxChars = Math.floor(random() * 6_000);
      const md = renderTraceMarkdown(events, { maxChars, title: text(10) });
      expect(md.length).toBeLessThanOrEqual(maxChars);
      expect(activeMarkup(md), md).toEqual([]);
    }
  });

  it('caps one huge observation with its head and tail', () => {
    const huge = `FIRST LINE\n${'x'.repeat(2_000_000)}\nLAST LINE`;
    const md = renderTraceMarkdown([step(1, 'cat big.log', huge)]);
    expect(md.length).toBeLessThanOrEqual(60_000);
    expect(md).toContain('FIRST LINE');
    expect(md).toContain('LAST LINE');
    expect(md).toMatch(/\[… \d+ characters elided …\]/);
  });

  it('holds the limit for a 5,000-step trace and keeps the first and last steps', () => {
    const events: TraceEvent[] = Array.from({ length: 5_000 }, (_, i) =>
      step(i + 1, `echo ${i + 1}`, `line\n`.repeat(300)),
    );
    events.push({
      type: 'end',
      at: 't',
      exitStatus: 'limits_exceeded',
      detail: 'step limit reached',
      patchBytes: 0,
    });
    const started = performance.now();
    const md = renderTraceMarkdown(events);
    expect(performance.now() - started).toBeLessThan(5_000);
    expect(md.length).toBeLessThanOrEqual(60_000);
    expect(md).toContain('Step 1 ·');
    expect(md).toContain('Step 5000 ·');
    expect(md).toMatch(/… \d+ steps elided/);
    expect(activeMarkup(md)).toEqual([]);
  });

  it('strips terminal escapes and bidirectional overrides from output', () => {
    const md = renderTraceMarkdown([step(1, 'ls', '\u001b[31mred\u001b[0m \u202Eevil\u202C')]);
    expect(md).toContain('red evil');
    expect(md).not.toMatch(/[\u001b\u202e\u202c]/);
  });

  it('handles tiny limits and malformed events without throwing', () => {
    const broken = [{ type: 'step', step: 1 }, null, { type: 'end' }] as unknown as TraceEvent[];
    for (const maxChars of [0, 10, 100, 1_000]) {
      const md = renderTraceMarkdown(broken, { maxChars });
      expect(md.length).toBeLessThanOrEqual(maxChars);
    }
    expect(renderTraceMarkdown([], { maxChars: 1_000 })).toContain('no end event');
  });
});

describe('the prompt cache in the trace header', () => {
  it('says how much of the prompt the server served from its cache, only where it reported it', () => {
    const cached = (n: number, c?: number) => ({
      ...step(n, 'look', 'ls', 'ok', 0),
      usage: { ...usage, ...(c === undefined ? {} : { cachedPromptTokens: c }) },
    });
    const md = renderTraceMarkdown([cached(1, 0), cached(2, 1100), cached(3)]);
    expect(md).toContain("1100 of 2400 prompt tokens from the server's cache");
    expect(renderTraceMarkdown([cached(1)])).not.toContain('cache');
  });
});
