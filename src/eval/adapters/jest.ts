/**
 * Jest: `--json --outputFile` writes a report with every test's ancestors, title and status, and a
 * per-file status that also catches files that failed to load. When the report is missing (Jest
 * crashed, or an old version), the text output is read the way SWE-bench's `parse_log_jest` does:
 * `PASS`/`FAIL <file>` lines and `✓`/`✕`/`○` lines.
 */
import { filesFromTests, relativeTo, shellQuote } from './map-ids.ts';
import type { FileResult, RunnerResults, TestAdapter, TestCase, TestStatus } from './types.ts';

interface JestReport {
  testResults?: {
    name?: string;
    status?: string;
    message?: string;
    assertionResults?: { ancestorTitles?: string[]; title?: string; fullName?: string; status?: string }[];
  }[];
}

export const jestAdapter = {
  name: 'jest',
  buildCommand({ base, files, resultFile }) {
    return [base, '--json', `--outputFile=${shellQuote(resultFile)}`, ...files.map(shellQuote)].join(' ');
  },
  parse({ output, resultText, root }) {
    const report = resultText ? parseReport(resultText) : null;
    return report ? fromReport(report, root) : parseJestText(output);
  },
} satisfies TestAdapter;

function parseReport(text: string): JestReport | null {
  try {
    const data = JSON.parse(text) as unknown;
    return typeof data === 'object' && data !== null && Array.isArray((data as JestReport).testResults)
      ? (data as JestReport)
      : null;
  } catch {
    return null;
  }
}

/** Also reads Vitest's JSON reporter, which writes the same shape. */
export function fromReport(report: JestReport, root: string): RunnerResults {
  const tests: TestCase[] = [];
  const files: FileResult[] = [];
  for (const suite of report.testResults ?? []) {
    const file = suite.name ? relativeTo(root, suite.name) : undefined;
    for (const a of suite.assertionResults ?? []) {
      // Titles are whatever the test passed to it(): a number or a function name arrives as is.
      const title = String(a.title ?? '');
      const name = String(a.fullName ?? [...(a.ancestorTitles ?? []), title].join(' '));
      tests.push({ file, name, title, status: assertionStatus(a.status) });
    }
    if (file) files.push({ file, status: suite.status === 'passed' ? 'PASSED' : 'FAILED' });
  }
  return { tests, files: files.length > 0 ? files : filesFromTests(tests) };
}

function assertionStatus(status: string | undefined): TestStatus {
  if (status === 'passed') return 'PASSED';
  if (status === 'pending' || status === 'skipped' || status === 'todo' || status === 'disabled')
    return 'SKIPPED';
  return 'FAILED';
}

const FILE_LINE = /^\s*(PASS|FAIL)\s+(\S+)/;
const TEST_LINE = /^\s*(✓|✕|○|√|×)\s(?:skipped\s)?(.+?)(?:\s\(\d+(?:\.\d+)?\s*m?s\))?$/;

export function parseJestText(output: string): RunnerResults {
  const tests: TestCase[] = [];
  const files: FileResult[] = [];
  let current: string | undefined;
  for (const raw of output.split('\n')) {
    const line = stripAnsi(raw);
    const f = FILE_LINE.exec(line);
    if (f?.[2]) {
      current = f[2];
      files.push({ file: current, status: f[1] === 'PASS' ? 'PASSED' : 'FAILED' });
      continue;
    }
    const t = TEST_LINE.exec(line);
    if (t?.[2]) {
      const status: TestStatus =
        t[1] === '✓' || t[1] === '√' ? 'PASSED' : t[1] === '○' ? 'SKIPPED' : 'FAILED';
      tests.push({ file: current, name: t[2].trim(), title: t[2].trim(), status });
    }
  }
  return { tests, files };
}

export function stripAnsi(text: string): string {
  return text.replace(/\u001b\[[0-9;]*[A-Za-z]/g, '');
}
