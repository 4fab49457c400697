/**
 * The test run's closing line and the skip rule, on vitest's real JSON report: a tiny project that uses
 * `describeIf` with a missing prerequisite runs in a child vitest, with and without CI=true.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { printSummary, summarize, type VitestReport } from './run-summary.ts';

const run = promisify(execFile);
const ROOT = join(import.meta.dirname, '..', '..');
const VITEST = join(ROOT, 'node_modules', 'vitest', 'vitest.mjs');
const SUMMARY = join(import.meta.dirname, 'run-summary.ts');

const file = (name: string, status: string, tests: [string, string][], message?: string) => ({
  name: `/repo/${name}`,
  status,
  message,
  assertionResults: tests.map(([fullName, s]) => ({ fullName, status: s })),
});

describe('summarize', () => {
  const report: VitestReport = {
    testResults: [
      file('a.test.ts', 'passed', [
        ['one', 'passed'],
        ['two', 'skipped'],
        ['three', 'todo'],
      ]),
      file('empty.test.ts', 'passed', []),
      file('all-skipped.test.ts', 'passed', [
        ['redis (skipped: redis-server not installed) x', 'skipped'],
        ['redis (skipped: redis-server not installed) y', 'skipped'],
      ]),
      file('broken.test.ts', 'failed', [], 'prerequisite missing in CI: Docker'),
      file('red.test.ts', 'failed', [
        ['ok', 'passed'],
        ['bad', 'failed'],
      ]),
    ],
  };

  it('counts skipped tests and files that ran no test, and files that failed outside a test', () => {
    const s = summarize(report, '/repo');
    expect(s.line).toBe('2 passed, 2 failed, 5 skipped');
    expect(s.skippedList).toEqual([
      'a.test.ts › two',
      'a.test.ts › three',
      'empty.test.ts (no test ran)',
      'all-skipped.test.ts (all 2 tests skipped: redis (skipped: redis-server not installed) x)',
    ]);
  });

  it('says 0 skipped when everything ran', () => {
    const s = summarize({ testResults: [file('a.test.ts', 'passed', [['one', 'passed']])] }, '/repo');
    expect(s.line).toBe('1 passed, 0 failed, 0 skipped');
    expect(s.skippedList).toEqual([]);
  });
});

describe('a run with a missing prerequisite', () => {
  const dir = mkdtempSync(join(tmpdir(), 'conjecture-summary-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'package.json'), '{"type":"module"}');
  writeFileSync(
    join(dir, 'needs.test.ts'),
    `import { expect, it } from 'vitest';
import { describeIf } from ${JSON.stringify(join(import.meta.dirname, 'prereq.ts'))};
describeIf('frobnicator not installed (run scripts/setup.sh)', 'needs a frobnicator', () => {
  it('frobs', () => expect(1).toBe(1));
});
it('runs anyway', () => expect(2).toBe(2));
`,
  );
  const vitest = (ci: boolean) =>
    run(
      process.execPath,
      [VITEST, 'run', '--root', dir, '--reporter=json', `--outputFile=${join(dir, 'report.json')}`],
      { cwd: dir, env: { ...process.env, CI: ci ? 'true' : '' }, timeout: 60_000 },
    ).then(
      (r) => ({ code: 0, stderr: r.stderr }),
      (e: { code: number; stderr: string }) => ({ code: e.code, stderr: e.stderr }),
    );

  it('skips with the reason printed outside CI, and the summary counts the skip', {
    timeout: 90_000,
  }, async () => {
    const r = await vitest(false);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('[skip] needs a frobnicator: frobnicator not installed');
    const lines: string[] = [];
    expect(printSummary(join(dir, 'report.json'), false, (s) => lines.push(s))).toBe(0);
    expect(lines.at(-1)).toBe('1 passed, 0 failed, 1 skipped');
    const listed =
      'needs.test.ts › needs a frobnicator (skipped: frobnicator not installed (run scripts/setup.sh)) frobs';
    expect(lines.filter((l) => l.endsWith(listed))).toHaveLength(1);
    // Under CI the same report fails the run.
    expect(printSummary(join(dir, 'report.json'), true, () => {})).toBe(1);
  });

  it('fails under CI=true, naming what is missing', { timeout: 90_000 }, async () => {
    const r = await vitest(true);
    expect(r.code).not.toBe(0);
    const report = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as VitestReport;
    expect(report.testResults[0]?.message).toContain(
      'needs a frobnicator: prerequisite missing in CI: frobnicator not installed',
    );
    // The summary script (as scripts/test.sh runs it): a failure, not a skip.
    const out = await run(process.execPath, [SUMMARY, join(dir, 'report.json')], {
      env: { ...process.env, CI: 'true' },
    });
    expect(out.stdout.trim().split('\n').at(-1)).toBe('0 passed, 1 failed, 0 skipped');
  });
});
