/**
 * pytest with `-rA`: the short test summary prints one `STATUS node_id` line per test, which is
 * what SWE-bench's `parse_log_pytest` reads (including `FAILED id - message` and the
 * `id STATUS` order some plugins print). Skip summaries like `SKIPPED [2] file:12: reason` are not tests.
 */
import { stripAnsi } from './jest.ts';
import { filesFromTests, shellQuote } from './map-ids.ts';
import type { RunnerResults, TestAdapter, TestCase, TestStatus } from './types.ts';

const STATUSES = ['PASSED', 'FAILED', 'SKIPPED', 'ERROR', 'XFAIL'] as const;
const ALT = STATUSES.join('|');
const STATUS_FIRST = new RegExp(`^(${ALT})\\s+(\\S+)`);
const TEST_FIRST = new RegExp(`^(\\S+)\\s+(${ALT})(?:\\s|$)`);

export const pytestAdapter = {
  name: 'pytest',
  buildCommand({ base, files }) {
    const withReport = /\s-rA\b/.test(` ${base}`) ? base : `${base} -rA`;
    return [withReport, ...files.map(shellQuote)].join(' ');
  },
  parse({ output }) {
    return parsePytest(output);
  },
} satisfies TestAdapter;

export function parsePytest(output: string): RunnerResults {
  const byId = new Map<string, TestStatus>();
  for (const raw of output.split('\n')) {
    const line = stripAnsi(raw);
    const first = STATUS_FIRST.exec(line);
    if (first?.[1] && first[2]) {
      if (first[1] === 'SKIPPED' && /^\[\d+\]/.test(first[2])) continue;
      byId.set(first[2], first[1] as TestStatus);
      continue;
    }
    const second = TEST_FIRST.exec(line);
    if (second?.[1] && second[2] && second[1].includes('::')) byId.set(second[1], second[2] as TestStatus);
  }
  const tests: TestCase[] = [...byId].map(([id, status]) => {
    const file = id.split('::')[0];
    return { file, name: id, title: id.split('::').pop() ?? id, status };
  });
  return { tests, files: filesFromTests(tests) };
}
