/**
 * Shapes shared by discovery, running, parsing and comparison. A test id is whatever string the
 * runner's own output names a test by (file > suite > title, pytest node id, go package/Test); ids
 * only need to be stable between two runs of the same plan, which is all `compareRuns` relies on.
 */

export type TestStatus = 'passed' | 'failed' | 'skipped';

export type TestRunner =
  | 'jest'
  | 'vitest'
  | 'mocha'
  | 'node-test'
  | 'tap'
  | 'ava'
  | 'pytest'
  | 'tox'
  | 'go'
  | 'cargo'
  | 'make'
  | 'unknown';

export type ResultFormat =
  | 'junit-xml'
  | 'tap'
  | 'jest-json'
  | 'mocha-json'
  | 'mocha-spec'
  | 'pytest-summary'
  | 'go-json'
  | 'libtest'
  | 'exit-code';

export type PackageManager = 'npm' | 'yarn' | 'pnpm' | 'bun';

export interface DiscoveredTestCommand {
  /** Shell command run from the repository root. */
  command: string;
  runner: TestRunner;
  /** Where it came from: 'config', 'package.json', 'pytest.ini', '.github/workflows/ci.yml', ... */
  source: string;
  /**
   * True when words appended to `command` reach the runner itself (the command, or the npm script
   * behind it, is one plain runner invocation), so reporter flags can be added safely.
   */
  appendable: boolean;
  /** For package-manager commands (`npm test`): how to pass extra arguments to the script. */
  packageManager?: PackageManager;
}

export interface SetupCommand {
  command: string;
  /** The files that asked for it, e.g. 'package-lock.json, requirements.txt'. */
  source: string;
}

export interface TestPlan {
  /** The command as discovered; shown to people and the agent. */
  command: string;
  /** What is actually executed: `command` plus reporter flags when the runner allows it. */
  exec: string;
  runner: TestRunner;
  source: string;
  env: Record<string, string>;
  /** A machine-readable report the run writes (outside the repository), read back after the run. */
  report?: { path: string; format: ResultFormat };
  /** How to read per-test results from the output when there is no usable report. */
  outputFormat: ResultFormat;
}

export interface ParsedResults {
  tests: Record<string, TestStatus>;
  /** Failure text per failed test, when the format carries it. */
  messages: Record<string, string>;
  /** A readable rendering of the output, for formats whose raw output is not (go test -json). */
  text?: string;
}

export interface TestRun {
  command: string;
  exitCode: number;
  timedOut: boolean;
  durationMs: number;
  /** Output, capped (head and tail kept). */
  output: string;
  /** Per-test results, or null when the runner's output could not be read per test. */
  tests: Record<string, TestStatus> | null;
  /** Failure text of failed tests, when known (capped per test). */
  messages: Record<string, string>;
  /** Where per-test results came from: a report file, the output, or nowhere. */
  resultsFrom: 'report' | 'output' | 'none';
  /** Exit 0, no timeout, and no failed test. */
  passed: boolean;
}

export type Verdict = 'no_new_failures' | 'new_failures' | 'unknown';

export interface Comparison {
  /** True only for `no_new_failures`; `unknown` is not ok (see docs/validation.md). */
  ok: boolean;
  verdict: Verdict;
  newFailures: string[];
  fixed: string[];
  stillFailing: string[];
  /** Tests that passed in the baseline and did not run after the change. */
  missing: string[];
  /** Whether the verdict rests on per-test results or only on exit codes. */
  basis: 'per-test' | 'exit-code';
  summary: string;
}
