/**
 * Seeded, bounded property tests of everything that reads untrusted text: the command parser, the
 * sanitizer, the repository config parser, the patch summary/policy and the trace renderer. No input
 * may throw (other than the documented ConfigError), hang (each call is timed), or escape the
 * fenced blocks of the rendered trace. Failures print the seed and case number to replay.
 */
import { describe, expect, it } from 'vitest';
import { parseRepoConfig } from '../../src/config/index.ts';
import { ConfigError } from '../../src/core/errors.ts';
import type { TraceEvent } from '../../src/core/trace.ts';
import { parseCommand } from '../../src/github/commands.ts';
import { sanitizeUntrustedText } from '../../src/github/sanitize.ts';
import { renderTraceMarkdown } from '../../src/trace/index.ts';
import { checkPatchPolicy, summarizePatch } from '../../src/workspace/index.ts';
import { activeMarkup } from '../trace/markdown-check.ts';

const SEED = 0x5ec0de;
const CASES = 300;
const MAX_MS = 250;

function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Fragments that have broken parsers like these before, mixed with random code points.
const FRAGMENTS = [
  '/conjecture fix',
  '/CONJECTURE',
  '/conjecture\tretry',
  '```',
  '~~~',
  '````',
  '\n',
  '\r\n',
  '\r',
  ' ',
  '<!--',
  '-->',
  '<details>',
  '</details>',
  '<summary>',
  '<img src=x>',
  '![a](http://e/?d=1)',
  '@org/team',
  'Fixes #999',
  '\u200B',
  '\u202E',
  '\uFEFF',
  '\u{E0041}',
  '\u0000',
  '\\',
  '`',
  '[',
  ']',
  '(',
  ')',
  'diff --git a/x b/x\n',
  '--- a/x\n',
  '+++ b/x\n',
  '@@ -1 +1 @@\n',
  'deleted file mode 100644\n',
  'new file mode 100644\n',
  'rename from .github/workflows/a\n',
  'rename to b\n',
  '/dev/null',
  '"a b"',
  'agent:\n  stepLimit: ',
  'github:\n',
  '  - ',
  ': ',
  '&a ',
  '*a',
  '!!binary ',
  '{',
  '}',
  '? ',
  '%YAML 1.2\n',
  'ghs_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789',
  '-----BEGIN PRIVATE KEY-----',
  'x'.repeat(200),
];

function generator(seed: number): (maxParts: number) => string {
  const rand = mulberry32(seed);
  return (maxParts) => {
    const parts: string[] = [];
    const n = Math.floor(rand() * maxParts);
    for (let i = 0; i < n; i++) {
      if (rand() < 0.7) parts.push(FRAGMENTS[Math.floor(rand() * FRAGMENTS.length)]!);
      else parts.push(String.fromCodePoint(Math.floor(rand() * 0x2ffff)).replace(/[\uD800-\uDFFF]/g, '?'));
    }
    return parts.join('');
  };
}

/** Runs `fn`, failing with the case when it throws unexpectedly or takes too long. */
function timed<T>(label: string, fn: () => T): T {
  const started = performance.now();
  const out = fn();
  const ms = performance.now() - started;
  if (ms > MAX_MS) throw new Error(`${label} took ${ms.toFixed(0)} ms (limit ${MAX_MS})`);
  return out;
}

describe('fuzz: untrusted text never throws, hangs or escapes', () => {
  it('parseCommand', () => {
    const gen = generator(SEED);
    for (let i = 0; i < CASES; i++) {
      const input = gen(40);
      const r = timed(`seed ${SEED} case ${i}`, () => parseCommand(input));
      expect(['none', 'unknown', 'command']).toContain(r.kind);
      if (r.kind === 'command') expect(r.command.args.length).toBeLessThanOrEqual(2_000);
      if (r.kind === 'unknown') expect(r.word.length).toBeLessThanOrEqual(40);
    }
    // Long adversarial lines stay linear.
    timed('long line', () => parseCommand(`/conjecture fix ${' '.repeat(100_000)}x`));
  });

  it('sanitizeUntrustedText', () => {
    const gen = generator(SEED + 1);
    for (let i = 0; i < CASES; i++) {
      const input = gen(60);
      const out = timed(`case ${i}`, () => sanitizeUntrustedText(input, { maxChars: 5_000 }));
      expect(out).not.toContain('<!--');
      expect(out).not.toMatch(/[\u200B\u202E\uFEFF\u0000]|\u{E0041}/u);
      expect(out.length).toBeLessThanOrEqual(5_200);
    }
    timed('many comment openers', () => sanitizeUntrustedText('<!--'.repeat(20_000)));
    // 64 KB of openers with nothing closing: these were quadratic (seconds) before the bounds.
    for (const opener of ['![', '![a](', '<img ', '<details ', '<!--'])
      timed(`many ${opener}`, () => sanitizeUntrustedText(opener.repeat(Math.ceil(65_536 / opener.length))));
  });

  it('parseRepoConfig', () => {
    const gen = generator(SEED + 2);
    let accepted = 0;
    for (let i = 0; i < CASES; i++) {
      const input = gen(20);
      try {
        timed(`case ${i}`, () => parseRepoConfig(input));
        accepted++;
      } catch (error) {
        if (!(error instanceof ConfigError)) throw new Error(`case ${i} threw ${String(error)}`);
      }
    }
    expect(accepted).toBeGreaterThan(0);
    // A YAML alias bomb is refused or bounded, not expanded for minutes.
    const bomb = [
      'a: &a ["x","x","x","x","x","x","x","x","x"]',
      ...Array.from(
        { length: 9 },
        (_, k) =>
          `${String.fromCharCode(98 + k)}: &${String.fromCharCode(98 + k)} [${Array(9)
            .fill(`*${String.fromCharCode(97 + k)}`)
            .join(',')}]`,
      ),
    ].join('\n');
    try {
      timed('alias bomb', () => parseRepoConfig(bomb));
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
    }
  });

  it('summarizePatch and checkPatchPolicy', () => {
    const gen = generator(SEED + 3);
    const policy = { protectedPaths: ['.github/workflows/**'], maxDeletedFiles: 5 };
    for (let i = 0; i < CASES; i++) {
      const input = gen(50);
      const summary = timed(`case ${i}`, () => summarizePatch(input));
      expect(Array.isArray(summary.files)).toBe(true);
      const violations = timed(`case ${i}`, () => checkPatchPolicy(input, policy));
      for (const f of summary.files)
        if (/^\.github\/workflows\//.test(f.path))
          expect(violations.map((v) => v.rule)).toContain('protected_path');
    }
  });

  it('renderTraceMarkdown', () => {
    const gen = generator(SEED + 4);
    const usage = { promptTokens: 1, completionTokens: 1, estimated: false };
    for (let i = 0; i < CASES / 3; i++) {
      const events: TraceEvent[] = [
        { type: 'start', at: gen(3), taskId: gen(5), model: gen(3), attempt: 1 },
        { type: 'message', at: 't', role: 'user', content: gen(30) },
        {
          type: 'step',
          at: 't',
          step: i,
          thought: gen(30),
          command: gen(10),
          observation: gen(80),
          exitCode: 1,
          timedOut: false,
          modelMs: 1,
          execMs: 1,
          usage,
        },
        { type: 'format_error', at: 't', step: i, reply: gen(20), feedback: gen(10) },
        { type: 'validation', at: 't', phase: 'after', summary: gen(20), passed: false },
        { type: 'end', at: 't', exitStatus: 'error', detail: gen(10), patchBytes: 0 },
      ];
      const maxChars = 2_000 + Math.floor(mulberry32(i)() * 20_000);
      const md = timed(`case ${i}`, () => renderTraceMarkdown(events, { maxChars, title: gen(5) }));
      expect(md.length).toBeLessThanOrEqual(maxChars);
      expect(activeMarkup(md), `case ${i}`).toEqual([]);
    }
  });
});
