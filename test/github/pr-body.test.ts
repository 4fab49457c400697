import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { configSchema } from '../../src/config/schema.ts';
import {
  MAX_BODY_CHARS,
  type PullRequestBodyInput,
  type PullRequestRun,
  pullRequestBodyOf,
  renderPullRequestBody,
  renderPullRequestTitle,
} from '../../src/github/pr-body.ts';
import { createTraceWriter } from '../../src/trace/writer.ts';

const EVIDENCE = [
  '### Validation',
  '',
  'Command: `npm test`',
  'Result: **✅ no new failures** — 1 test fixed, no new failures',
  '',
  '| test | before | after |',
  '|---|---|---|',
  '| `calc > adds` | failed | passed |',
].join('\n');

function input(over: Partial<PullRequestBodyInput> = {}): PullRequestBodyInput {
  return {
    issueNumber: 7,
    summary: 'Fixed `add` to return the sum instead of the difference.',
    files: [
      { path: 'src/calc.js', kind: 'modified', binary: false, additions: 1, deletions: 1 },
      { path: 'test/calc.test.js', kind: 'added', binary: false, additions: 12, deletions: 0 },
      { path: 'logo.png', kind: 'added', binary: true, additions: 0, deletions: 0 },
      {
        path: 'lib/new.js',
        oldPath: 'lib/old.js',
        kind: 'renamed',
        binary: false,
        additions: 0,
        deletions: 0,
      },
    ],
    outcome: 'validated',
    evidence: EVIDENCE,
    usage: { promptTokens: 48_213, completionTokens: 1_907, estimated: false, calls: 14, costUsd: 0 },
    durationMs: 192_400,
    steps: 14,
    attempts: 1,
    model: 'granite4:tiny-h',
    image: 'conjecture-sandbox:0.1.0',
    baseCommit: '0123456789abcdef0123456789abcdef01234567',
    triggeredBy: 'alice',
    jobId: 'job-7',
    issueSha256: 'ab'.repeat(32),
    trace: '#### Step 1\n\n```sh\ncat src/calc.js\n```\n\nThe bug is on line 2.',
    ...over,
  };
}

describe('renderPullRequestBody', () => {
  it('renders a validated run as reviewed in the golden file', async () => {
    await expect(renderPullRequestBody(input())).toMatchFileSnapshot('../golden/github/pr-body-validated.md');
  });

  it('marks a failing draft and an unvalidated change', async () => {
    const failing = renderPullRequestBody(input({ outcome: 'failed_validation', trace: undefined }));
    await expect(failing).toMatchFileSnapshot('../golden/github/pr-body-failed-validation.md');
    const unvalidated = renderPullRequestBody(input({ outcome: 'unvalidated', evidence: null }));
    expect(unvalidated).toContain('this change has not been validated');
    expect(unvalidated).toContain('No test command was found');
  });

  it("stays within GitHub's limit with a huge trace, keeping every other section", () => {
    const trace = Array.from(
      { length: 5_000 },
      (_, i) => `#### Step ${i}\n\n\`\`\`\n${'x'.repeat(40)}\n\`\`\``,
    ).join('\n');
    const body = renderPullRequestBody(input({ trace }));
    expect(body.length).toBeLessThanOrEqual(MAX_BODY_CHARS);
    expect(body.startsWith('Fixes #7\n')).toBe(true);
    for (const section of ['### Summary', '### Files changed', '### Validation', '### Run', '</details>'])
      expect(body).toContain(section);
    expect(body).toContain("cut to fit; the full trace is in the run's artifacts");
    expect(body.split('\n').filter((l) => l.startsWith('```')).length % 2).toBe(0);
  });

  it('redacts tokens in the trace and summary, and links only the issue it fixes', () => {
    const token = `ghs_${'Z9'.repeat(18)}`;
    const body = renderPullRequestBody(
      input({
        summary: 'Also fixes #1 and closes octo/hello#2; thanks @bob',
        trace: `$ env\nGITHUB_TOKEN=${token}\nOPENAI_API_KEY=sk-${'a'.repeat(30)}\nmy-api-key-value`,
        secrets: ['my-api-key-value'],
      }),
    );
    expect(body).not.toContain(token);
    expect(body).not.toContain('sk-aaaa');
    expect(body).not.toContain('my-api-key-value');
    expect(body.match(/\b(?:fixes|closes) (?:[\w-]+\/[\w-]+)?#\d/gi)).toEqual(['Fixes #7']);
    expect(body).not.toMatch(/@bob/);
  });

  it('builds a title from the issue, capped at 256 characters', () => {
    expect(renderPullRequestTitle('  Add   overflows\n', 7)).toBe('Fix #7: Add overflows');
    expect(renderPullRequestTitle('x'.repeat(400), 7).length).toBe(256);
  });
});

describe('pullRequestBodyOf', () => {
  const usage = { promptTokens: 900, completionTokens: 80, estimated: false, calls: 3, costUsd: 0 };
  const patch = [
    'diff --git a/src/calc.js b/src/calc.js',
    '--- a/src/calc.js',
    '+++ b/src/calc.js',
    '@@ -1 +1 @@',
    '-export const add = (a, b) => a - b;',
    '+export const add = (a, b) => a + b;',
    '',
  ].join('\n');

  function run(dir: string): PullRequestRun {
    const tracePath = join(dir, 'attempt-2', 'trace.jsonl');
    const trace = createTraceWriter(tracePath);
    trace.write({
      type: 'step',
      at: '2026-01-01T00:00:00Z',
      step: 1,
      thought: 'I wrote a perfect fix, merge it now.',
      command: 'cat src/calc.js',
      observation: 'export const add = (a, b) => a - b;',
      exitCode: 0,
      timedOut: false,
      modelMs: 10,
      execMs: 5,
      usage: { promptTokens: 1, completionTokens: 1, estimated: false },
    });
    const attempt = (n: number, feedbackRounds: number) => ({
      attempt: n,
      exitStatus: 'submitted' as const,
      patch,
      diffLines: 2,
      validation: null,
      feedbackRounds,
      steps: 4,
      usage,
      durationMs: 1_000,
      reproduced: false,
      tracePath: n === 2 ? tracePath : join(dir, 'none.jsonl'),
    });
    const chosen = attempt(2, 1);
    return {
      outcome: 'unvalidated',
      reason: 'no test command was found',
      patch,
      chosen,
      attempts: [attempt(1, 0), chosen],
      baseCommit: 'f'.repeat(40),
      testCommand: null,
      model: 'granite4:tiny-h',
      image: 'conjecture-sandbox:0.1.0',
      usage,
      durationMs: 2_000,
      outDir: dir,
      config: configSchema.parse({}),
      configNotes: [],
    };
  }

  it("builds the body from the run's result: the pipeline's verdict, the patch's files, the chosen trace", () => {
    const dir = mkdtempSync(join(tmpdir(), 'pr-body-'));
    const body = pullRequestBodyOf(run(dir), { issueNumber: 7, triggeredBy: 'alice', jobId: 'job-7' });
    const summary = body.split('### Summary\n\n')[1]?.split('\n')[0];
    expect(summary).toBe(
      'no test command was found. Chosen from 2 attempts (attempt 2). The agent revised its change 1 time(s) after test failures.',
    );
    expect(summary).not.toContain('perfect fix');
    expect(body).toContain('Fixes #7');
    expect(body).toContain('| `src/calc.js` | modified | 1 | 1 |');
    expect(body).toContain('No test command was found, so the change was not validated.');
    expect(body).toContain('| agent steps | 8 |');
    expect(body).toContain('<summary>Reasoning trace</summary>');
    expect(body).toContain('cat src/calc.js');
  });
});
