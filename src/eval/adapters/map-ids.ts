/**
 * Maps what a runner reported onto SWE-bench test ids. Ids come in several conventions and one
 * dataset may mix them (dayjs: `file` and `file:name`; express: mocha full titles or bare titles;
 * pytest: node ids). An id is looked up, in order, as: a test's full name; a whole test file;
 * `file:name` with the name matching the full name or title of a test in that file; a bare title.
 * When an id matches several tests (a title used in two suites) it passes only if all of them do.
 */
import type { RunnerResults, StatusMap, TestCase, TestStatus } from './types.ts';

export function mapToIds(ids: readonly string[], results: RunnerResults): StatusMap {
  const byName = groupBy(results.tests, (t) => norm(t.name));
  const byTitle = groupBy(results.tests, (t) => norm(t.title ?? t.name));
  const files = new Map(results.files.map((f) => [f.file, f.status]));
  const map: StatusMap = {};
  for (const id of ids) {
    const status = lookup(id, results.tests, byName, byTitle, files);
    if (status) map[id] = status;
  }
  return map;
}

function lookup(
  id: string,
  tests: TestCase[],
  byName: Map<string, TestCase[]>,
  byTitle: Map<string, TestCase[]>,
  files: Map<string, TestStatus>,
): TestStatus | undefined {
  const named = byName.get(norm(id));
  if (named) return combine(named.map((t) => t.status));
  const file = files.get(id);
  if (file) return file;
  const split = splitFileId(id);
  if (split) {
    const inFile = tests.filter(
      (t) => t.file === split.file && (t.name === split.name || t.title === split.name),
    );
    if (inFile.length > 0) return combine(inFile.map((t) => t.status));
    // A runner that does not report files (old mocha JSON) still matches on the name alone.
    const anywhere = tests.filter(
      (t) => t.file === undefined && (t.name === split.name || t.title === split.name),
    );
    if (anywhere.length > 0) return combine(anywhere.map((t) => t.status));
  }
  const titled = byTitle.get(norm(id));
  if (titled) return combine(titled.map((t) => t.status));
  return undefined;
}

/**
 * Names compare with whitespace runs collapsed and the ends trimmed: datasets built from spec
 * reporter lines lose a title's trailing space (express: "should contain app settings ").
 */
function norm(name: unknown): string {
  return String(name).replace(/\s+/g, ' ').trim();
}

/** `path/to/file.test.js:some test name` -> file and name; null when the prefix is not a path. */
export function splitFileId(id: string): { file: string; name: string } | null {
  const m = /^([^\s:]+\.[A-Za-z0-9]+):(?!:)(.+)$/.exec(id);
  if (!m?.[1] || !m[2]) return null;
  return { file: m[1], name: m[2] };
}

/** The test file an id names, if any: `file`, `file:name` or a pytest `file::node`. */
export function fileOfId(id: string): string | null {
  const pytest = /^([^\s:]+\.py)(::|$)/.exec(id);
  if (pytest?.[1]) return pytest[1];
  const split = splitFileId(id);
  if (split) return split.file;
  return /^[^\s:]+\.(?:[cm]?[jt]sx?|py)$/.test(id) ? id : null;
}

/** Worst status wins: a failure anywhere fails the id. */
export function combine(statuses: TestStatus[]): TestStatus {
  if (statuses.includes('ERROR')) return 'ERROR';
  if (statuses.includes('FAILED')) return 'FAILED';
  if (statuses.includes('PASSED')) return 'PASSED';
  if (statuses.includes('XFAIL')) return 'XFAIL';
  return 'SKIPPED';
}

/** Per-file status from the tests in it, for runners that report no file-level result. */
export function filesFromTests(tests: TestCase[]): RunnerResults['files'] {
  const groups = groupBy(
    tests.filter((t) => t.file !== undefined),
    (t) => t.file ?? '',
  );
  return [...groups].map(([file, list]) => ({ file, status: combine(list.map((t) => t.status)) }));
}

export function relativeTo(root: string, path: string): string {
  const prefix = root.endsWith('/') ? root : `${root}/`;
  const rel = path.startsWith(prefix) ? path.slice(prefix.length) : path;
  return rel.replace(/^\.\//, '');
}

export function shellQuote(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", "'\\''")}'`;
}

function groupBy<T>(items: T[], key: (item: T) => string): Map<string, T[]> {
  const map = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = map.get(k);
    if (list) list.push(item);
    else map.set(k, [item]);
  }
  return map;
}
