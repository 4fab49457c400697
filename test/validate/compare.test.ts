import { describe, expect, it } from 'vitest';
import {
  COMMAND_FAILED,
  COMMAND_TIMED_OUT,
  compareRuns,
  formatEvidence,
  formatFeedback,
  type TestRun,
  type TestStatus,
} from '../../src/validate/index.ts';

function run(tests: Record<string, TestStatus> | null, over: Partial<TestRun> = {}): TestRun {
  const failed = tests ? Object.values(tests).includes('failed') : false;
  const exitCode = over.exitCode ?? (failed ? 1 : 0);
  return {
    command: 'npm test',
    exitCode,
    timedOut: false,
    durationMs: 1200,
    output: '',
    tests,
    messages: {},
    resultsFrom: tests ? 'report' : 'none',
    passed: exitCode === 0 && !failed && !over.timedOut,
    ...over,
  };
}

describe('compareRuns per test', () => {
  it('finds a new failure and keeps old ones apart', () => {
    const c = compareRuns(
      run({ a: 'passed', b: 'failed', c: 'passed' }),
      run({ a: 'failed', b: 'failed', c: 'passed', d: 'failed' }),
    );
    expect(c).toMatchObject({
      ok: false,
      verdict: 'new_failures',
      basis: 'per-test',
      newFailures: ['a', 'd'],
      stillFailing: ['b'],
      fixed: [],
    });
    expect(c.summary).toContain('2 new failure(s): a, d');
  });

  it('accepts a change that fixes a test and leaves the rest as they were', () => {
    const c = compareRuns(
      run({ a: 'passed', b: 'failed', s: 'skipped' }),
      run({ a: 'passed', b: 'passed', s: 'skipped' }),
    );
    expect(c).toMatchObject({
      ok: true,
      verdict: 'no_new_failures',
      fixed: ['b'],
      newFailures: [],
      stillFailing: [],
    });
  });

  it('accepts an unchanged run, even when tests were already failing', () => {
    const c = compareRuns(run({ a: 'passed', b: 'failed' }), run({ a: 'passed', b: 'failed' }));
    expect(c).toMatchObject({ ok: true, stillFailing: ['b'], newFailures: [] });
    expect(c.summary).toContain('1 still failing');
  });

  it('treats a passing test that no longer runs as missing, not as fine', () => {
    const c = compareRuns(run({ a: 'passed', b: 'passed' }), run({ a: 'passed' }));
    expect(c).toMatchObject({ ok: false, verdict: 'new_failures', missing: ['b'], newFailures: [] });
  });

  it('blames the command when it fails where it used to pass and no test failed', () => {
    const c = compareRuns(run({ a: 'passed' }), run({ a: 'passed' }, { exitCode: 2 }));
    expect(c).toMatchObject({ ok: false, newFailures: [COMMAND_FAILED] });
  });

  it('counts a timeout the baseline did not have as a new failure', () => {
    const c = compareRuns(run({ a: 'passed' }), run(null, { timedOut: true, exitCode: 137, passed: false }));
    expect(c).toMatchObject({
      ok: false,
      basis: 'exit-code',
      newFailures: [COMMAND_TIMED_OUT, COMMAND_FAILED],
    });
  });
});

describe('compareRuns without per-test results', () => {
  it('passes when after passes', () => {
    expect(compareRuns(run(null, { exitCode: 1, passed: false }), run(null))).toMatchObject({
      ok: true,
      verdict: 'no_new_failures',
      basis: 'exit-code',
    });
  });

  it('fails when the baseline passed and after fails', () => {
    expect(compareRuns(run(null), run(null, { exitCode: 1, passed: false }))).toMatchObject({
      ok: false,
      verdict: 'new_failures',
      newFailures: [COMMAND_FAILED],
    });
  });

  it('is unknown, and not ok, when both fail', () => {
    const c = compareRuns(
      run(null, { exitCode: 1, passed: false }),
      run(null, { exitCode: 1, passed: false }),
    );
    expect(c).toMatchObject({ ok: false, verdict: 'unknown', newFailures: [] });
    expect(c.summary).toMatch(/^unknown: /);
  });

  it('names the failing tests when only the after run was read per test', () => {
    const c = compareRuns(run(null), run({ x: 'failed', y: 'passed' }));
    expect(c).toMatchObject({ ok: false, newFailures: ['x'] });
  });
});

describe('formatFeedback', () => {
  it('lists the new failures with their failure text', () => {
    const after = run(
      { a: 'failed', b: 'passed' },
      { messages: { a: 'AssertionError: expected 90, got 100' } },
    );
    const text = formatFeedback(compareRuns(run({ a: 'passed', b: 'passed' }), after), after);
    expect(text).toContain('1 new failure(s):\n- a');
    expect(text).toContain('--- a\nAssertionError: expected 90, got 100');
    expect(text).toContain('do not delete, skip or weaken tests');
  });

  it('caps long output to head and tail within the budget', () => {
    const output = `HEAD-LINE\n${'x'.repeat(50_000)}\nTAIL-LINE`;
    const after = run(null, { exitCode: 1, passed: false, output });
    const text = formatFeedback(compareRuns(run(null), after), after);
    expect(text.length).toBeLessThanOrEqual(3_000);
    expect(text).toContain('HEAD-LINE');
    expect(text).toContain('TAIL-LINE');
    expect(text).toMatch(/\[\.\.\. \d+ characters elided \.\.\.\]/);
  });

  it('says when the outcome is unknown, and is short when all is well', () => {
    const failing = run(null, { exitCode: 1, passed: false, output: 'boom' });
    expect(formatFeedback(compareRuns(failing, failing), failing)).toContain(
      'unknown whether your change broke',
    );
    const ok = run({ a: 'passed' });
    expect(formatFeedback(compareRuns(ok, ok), ok)).toMatch(/^The tests pass/);
  });
});

describe('formatEvidence', () => {
  it('renders counts and the changed tests, neutralising untrusted names', () => {
    const baseline = run({ a: 'passed', 'b | `@admin`': 'failed', c: 'passed' });
    const after = run({ a: 'failed', 'b | `@admin`': 'passed', c: 'passed' });
    const md = formatEvidence({ baseline, after, comparison: compareRuns(baseline, after) });
    expect(md).toContain('Command: `npm test`');
    expect(md).toContain('| passed | 2 | 2 |');
    expect(md).toContain('| failed | 1 | 1 |');
    expect(md).toContain('| `a` | passed | failed |');
    expect(md).toContain("| `b \\| '@admin'` | failed | passed |");
    expect(md).toContain('❌ new failures');
  });
});
