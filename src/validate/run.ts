/**
 * Runs a test plan in a sandbox and reads per-test results: from the report file when the plan
 * asked for one, else from the output, else none (judged by exit code). Sandbox failures throw
 * (they are infrastructure); failing tests are data.
 */
import type { Sandbox } from '../core/sandbox.ts';
import { capText } from './excerpt.ts';
import { parseResults } from './parsers/index.ts';
import type { ParsedResults, TestPlan, TestRun } from './types.ts';
import { cacheEnv, inWorkspaceEnv } from './workspace-env.ts';

export interface RunTestsOptions {
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Characters of output kept in the TestRun (head and tail). */
  maxOutputChars?: number;
  /** Set by the host (e.g. `dependencyEnv`), over everything else. */
  env?: Record<string, string>;
}

// Text formats are parsed from the whole output, so the sandbox is asked for much more than is
// kept; a run whose output was still cut is not parsed from text (tests in the gap would look missing).
const PARSE_OUTPUT_BYTES = 4 * 1024 * 1024;
const REPORT_BYTES = 16 * 1024 * 1024;
const DEFAULT_OUTPUT_CHARS = 64_000;

/**
 * CI=true turns off watch modes and interactive prompts. The Python settings stop test runs from
 * leaving `__pycache__` and `.pytest_cache` in the checkout, where they would end up in the patch;
 * none of these changes which tests run or how.
 */
const TEST_ENV = {
  CI: 'true',
  PYTHONDONTWRITEBYTECODE: '1',
  PYTEST_ADDOPTS: '-p no:cacheprovider',
  // Go caches test results in GOCACHE, which the workspace holds: always run the tests.
  GOFLAGS: '-count=1',
};

function quote(path: string): string {
  return `'${path.replaceAll("'", `'\\''`)}'`;
}

async function readReport(
  sandbox: Sandbox,
  plan: TestPlan,
  signal?: AbortSignal,
): Promise<ParsedResults | null> {
  if (!plan.report) return null;
  const read = await sandbox.exec(`cat -- ${quote(plan.report.path)}`, {
    timeoutMs: 60_000,
    maxOutputBytes: REPORT_BYTES,
    signal,
  });
  if (read.exitCode !== 0 || read.truncated) return null;
  return parseResults(plan.report.format, read.output, { workdir: sandbox.workdir });
}

export async function runTests(
  sandbox: Sandbox,
  plan: TestPlan,
  options: RunTestsOptions = {},
): Promise<TestRun> {
  const { signal } = options;
  const exec = plan.report
    ? `rm -f -- ${quote(plan.report.path)}; ${inWorkspaceEnv(plan.exec)}`
    : inWorkspaceEnv(plan.exec);
  const result = await sandbox.exec(exec, {
    env: { ...TEST_ENV, ...cacheEnv(sandbox.workdir), ...plan.env, ...options.env },
    timeoutMs: options.timeoutMs,
    signal,
    maxOutputBytes: PARSE_OUTPUT_BYTES,
  });
  let parsed = await readReport(sandbox, plan, signal);
  let resultsFrom: TestRun['resultsFrom'] = parsed ? 'report' : 'none';
  if (!parsed && !result.truncated) {
    parsed = parseResults(plan.outputFormat, result.output, { workdir: sandbox.workdir });
    if (parsed) resultsFrom = 'output';
  }
  const tests = parsed?.tests ?? null;
  const anyFailed = tests !== null && Object.values(tests).includes('failed');
  return {
    command: plan.command,
    exitCode: result.exitCode,
    timedOut: result.timedOut,
    durationMs: result.durationMs,
    output: capText(parsed?.text ?? result.output, options.maxOutputChars ?? DEFAULT_OUTPUT_CHARS),
    tests,
    messages: parsed?.messages ?? {},
    resultsFrom,
    passed: result.exitCode === 0 && !result.timedOut && !anyFailed,
  };
}
