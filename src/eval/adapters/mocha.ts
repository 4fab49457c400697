/**
 * Mocha: the JSON reporter (any `--reporter`/`-R` in the base command is replaced). Mocha before
 * v9 cannot send it to a file, so stdout is redirected to the report file and the report is cut
 * out of it: the last object that starts with `"stats"`, printed once at the end of the run after
 * anything the tests logged.
 * Old versions leave out `file`; ids are full titles then, which need no file.
 */
import { filesFromTests, relativeTo, shellQuote } from './map-ids.ts';
import type { RunnerResults, TestAdapter, TestCase, TestStatus } from './types.ts';

interface MochaTest {
  title?: string;
  fullTitle?: string;
  file?: string;
  err?: Record<string, unknown>;
}

interface MochaReport {
  tests?: MochaTest[];
  passes?: MochaTest[];
  failures?: MochaTest[];
  pending?: MochaTest[];
}

export const mochaAdapter = {
  name: 'mocha',
  buildCommand({ base, files, resultFile }) {
    const stripped = base.replace(/\s(?:--reporter|-R)(?:=|\s+)\S+/g, '');
    // stdout goes to the report file: a large suite's JSON would overflow the sandbox's output cap.
    return `${[stripped, '--reporter', 'json', ...files.map(shellQuote)].join(' ')} > ${shellQuote(resultFile)}`;
  },
  parse({ output, resultText, root }) {
    const report = extractReport(resultText ?? '') ?? extractReport(output);
    return report ? fromReport(report, root) : { tests: [], files: [] };
  },
} satisfies TestAdapter;

export function extractReport(text: string): MochaReport | null {
  let at = text.lastIndexOf('"stats"');
  while (at >= 0) {
    const start = text.lastIndexOf('{', at);
    if (start < 0) return null;
    const end = text.lastIndexOf('}');
    // Shrink from the right until the object parses: trailing noise after the report is rare but possible.
    let tries = 0;
    for (let stop = end; stop > start && tries < 20; stop = text.lastIndexOf('}', stop - 1), tries++) {
      try {
        const data = JSON.parse(text.slice(start, stop + 1)) as MochaReport;
        if (data && typeof data === 'object' && Array.isArray(data.tests ?? data.passes)) return data;
      } catch {
        // keep shrinking
      }
    }
    at = text.lastIndexOf('"stats"', start - 1);
  }
  return null;
}

function fromReport(report: MochaReport, root: string): RunnerResults {
  const tests: TestCase[] = [];
  const add = (list: MochaTest[] | undefined, status: TestStatus) => {
    for (const t of list ?? []) {
      const title = String(t.title ?? '');
      tests.push({
        file: t.file ? relativeTo(root, t.file) : undefined,
        name: String(t.fullTitle ?? title),
        title,
        status,
      });
    }
  };
  add(report.passes, 'PASSED');
  add(report.failures, 'FAILED');
  add(report.pending, 'SKIPPED');
  return { tests, files: filesFromTests(tests) };
}
