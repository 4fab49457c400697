/**
 * Test-runner adapters: each builds the command that runs a set of test files with output it can
 * read back, and parses that output into per-test results. Mapping results onto SWE-bench test ids
 * is shared (map-ids.ts), because the id conventions (file, `file:full name`, full title, pytest
 * node id) cut across runners.
 */

/** SWE-bench's TestStatus values, so grading reads exactly like `swebench/harness/grading.py`. */
export type TestStatus = 'PASSED' | 'FAILED' | 'SKIPPED' | 'ERROR' | 'XFAIL';

/** SWE-bench test id -> status. An id absent from the map was not seen in the run. */
export type StatusMap = Record<string, TestStatus>;

/** The runners we read; the Python names after `pytest` are SWE-bench's per-repository log parsers. */
export const ADAPTER_NAMES = [
  'jest',
  'mocha',
  'vitest',
  'node-test',
  'pytest',
  'pytest-options',
  'pytest-v2',
  'seaborn',
  'matplotlib',
  'sympy',
  'django',
] as const;

export type AdapterName = (typeof ADAPTER_NAMES)[number];

/** One test as the runner reported it. */
export interface TestCase {
  /** Path relative to the repository root, when the runner says. */
  file?: string;
  /** The runner's full name: describe blocks and title joined by spaces, or the pytest node id. */
  name: string;
  /** The test's own title, without its describe blocks. */
  title?: string;
  status: TestStatus;
}

/** A test file as a whole: failed when any test in it failed or the file did not load. */
export interface FileResult {
  file: string;
  status: TestStatus;
}

export interface RunnerResults {
  tests: TestCase[];
  files: FileResult[];
}

export interface BuildCommandInput {
  /** The runner invocation without files, e.g. `npx jest --coverage=false`. */
  base: string;
  /** Test files (relative paths) to run; empty runs the runner's default set. */
  files: string[];
  /** Where the runner writes its machine-readable report, as seen inside the sandbox. */
  resultFile: string;
}

export interface ParseInput {
  /** Combined stdout and stderr of the run. */
  output: string;
  /** Text of `resultFile` after the run, or null when the runner wrote none. */
  resultText: string | null;
  /** Repository root inside the sandbox; absolute paths in reports are made relative to it. */
  root: string;
}

export interface TestAdapter {
  readonly name: AdapterName;
  buildCommand(input: BuildCommandInput): string;
  parse(input: ParseInput): RunnerResults;
}
