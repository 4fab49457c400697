/**
 * `node --test` with the TAP reporter. Subtests nest by four spaces; a test's full name is its
 * enclosing subtests and its own name joined by spaces (as Jest's fullName), and its file comes
 * from the `# conjecture-file:` line the command prints before each file's run (Node's TAP gives
 * passing tests no location), else a `location:` line, else a top-level subtest named like a path
 * (Node before 22 wrapped each file in one).
 */
import { filesFromTests, relativeTo, shellQuote } from './map-ids.ts';
import type { RunnerResults, TestAdapter, TestCase, TestStatus } from './types.ts';

export const nodeTestAdapter = {
  name: 'node-test',
  buildCommand({ base, files }) {
    const run = `${base.replace(/\s--test-reporter(?:-destination)?(?:=|\s+)\S+/g, '')} --test-reporter=tap`;
    if (files.length === 0) return run;
    // One run per file, each announced: Node's TAP gives passing tests no location to tell the file by.
    return `for f in ${files.map(shellQuote).join(' ')}; do echo "${FILE_MARK}$f"; ${run} "$f"; done`;
  },
  parse({ output, root }) {
    return parseTap(output, root);
  },
} satisfies TestAdapter;

const FILE_MARK = '# conjecture-file: ';
const SUBTEST = /^(\s*)# Subtest: (.*)$/;
const RESULT = /^(\s*)(ok|not ok) \d+(?: - (.*?))?(?:\s+#\s*(SKIP|TODO)\b.*)?$/i;
const LOCATION = /^\s*location: '?(.*?):\d+:\d+'?\s*$/;
const FILE_NAME = /^[^\s]+\.[cm]?[jt]sx?$/;

export function parseTap(output: string, root: string): RunnerResults {
  const tests: TestCase[] = [];
  const stack: string[] = [];
  let last: TestCase | null = null;
  let lastIndent = 0;
  let announced: string | undefined;
  for (const line of output.split('\n')) {
    if (line.startsWith(FILE_MARK)) {
      announced = line.slice(FILE_MARK.length).trim();
      stack.length = 0;
      last = null;
      continue;
    }
    const sub = SUBTEST.exec(line);
    if (sub) {
      const level = Math.floor((sub[1] ?? '').length / 4);
      stack.length = level;
      stack[level] = sub[2] ?? '';
      last = null;
      continue;
    }
    const res = RESULT.exec(line);
    if (res) {
      const indent = (res[1] ?? '').length;
      const level = Math.floor(indent / 4);
      const title = res[3] ?? stack[level] ?? '';
      const ancestors = stack.slice(0, level);
      const wrapper =
        ancestors.length > 0 && FILE_NAME.test(ancestors[0] ?? '') ? ancestors.shift() : undefined;
      const file = announced ?? wrapper;
      if (level === 0 && FILE_NAME.test(title)) {
        last = null; // a per-file wrapper, not a test
        continue;
      }
      const directive = res[4]?.toUpperCase();
      const status: TestStatus = directive ? 'SKIPPED' : res[2] === 'ok' ? 'PASSED' : 'FAILED';
      last = {
        file: file ? relativeTo(root, file) : undefined,
        name: [...ancestors, title].join(' '),
        title,
        status,
      };
      lastIndent = indent;
      tests.push(last);
      stack.length = level;
      continue;
    }
    const loc = LOCATION.exec(line);
    if (loc?.[1] && last && line.length - line.trimStart().length > lastIndent && last.file === undefined) {
      last.file = relativeTo(root, loc[1]);
    }
  }
  return { tests, files: filesFromTests(tests) };
}
