/**
 * The test phase: the adapter's command for FAIL_TO_PASS + PASS_TO_PASS, run in a sandbox without
 * network, then its report read back from the checkout and mapped onto the SWE-bench ids.
 */
import { constants } from 'node:fs';
import { chown, lstat, mkdir, open } from 'node:fs/promises';
import { join, posix } from 'node:path';
import type { Config } from '../config/schema.ts';
import type { SandboxProvider } from '../core/sandbox.ts';
import { sandboxSpecFromConfig } from '../sandbox/index.ts';
import { findInstalledDependencies } from '../validate/index.ts';
import { mapToIds, type StatusMap } from './adapters/index.ts';
import type { RunAs } from './host-run.ts';
import type { SwebenchInstance } from './instances.ts';
import { type ResolvedSpec, testFiles } from './specs.ts';

/** Inside the checkout; listed in `.git/info/exclude` so it never shows up as a change. */
export const RESULT_DIR = '.conjecture-eval';
const MAX_REPORT_BYTES = 64 * 1024 * 1024;

export interface TestRunOutcome {
  command: string;
  output: string;
  exitCode: number;
  timedOut: boolean;
  durationMs: number;
  statuses: StatusMap;
  /** How many tests the runner reported at all (0 usually means it did not start). */
  testsSeen: number;
  /** The runner's machine-readable report, when it wrote one. */
  resultText: string | null;
}

export async function runTests(input: {
  provider: SandboxProvider;
  config: Config;
  checkout: string;
  instance: SwebenchInstance;
  spec: ResolvedSpec;
  runAs?: RunAs;
  timeoutMs: number;
  labels?: Record<string, string>;
  signal?: AbortSignal;
}): Promise<TestRunOutcome> {
  const { instance, spec } = input;
  const ids = [...instance.FAIL_TO_PASS, ...instance.PASS_TO_PASS];
  const hostResultDir = join(input.checkout, RESULT_DIR);
  await mkdir(hostResultDir, { recursive: true });
  if (input.runAs) await chown(hostResultDir, input.runAs.uid, input.runAs.gid);

  // node_modules is hard-linked from the shared dependency cache: tests of a hostile prediction
  // must not write through those links into other instances' installs (THREATS.md #31, #24).
  const sandboxSpec = sandboxSpecFromConfig(input.config.sandbox, input.checkout, {
    purpose: 'agent',
    labels: input.labels,
    readOnlyMounts: findInstalledDependencies(input.checkout).paths.map((rel) => ({
      host: join(input.checkout, rel),
      container: posix.join(input.config.sandbox.workdir, rel),
    })),
  });
  const sandbox = await input.provider.create(sandboxSpec);
  let command = '';
  let result: Awaited<ReturnType<typeof sandbox.exec>>;
  try {
    const root = sandbox.workdir;
    const run = spec.runner.buildCommand({
      base: spec.testCmd,
      files: testFiles(spec, ids),
      resultFile: `${root}/${RESULT_DIR}/report.json`,
    });
    command = spec.preamble ? `${spec.preamble}\n${run}` : run;
    result = await sandbox.exec(command, {
      timeoutMs: input.timeoutMs,
      maxOutputBytes: 4_000_000,
      signal: input.signal,
    });
  } finally {
    await sandbox.dispose();
  }
  // Read only after the sandbox is gone, and never through a link the tests could have planted.
  const resultText = await readRegularFile(hostResultDir, 'report.json');
  const parsed = spec.runner.parse({ output: result.output, resultText, root: sandbox.workdir });
  return {
    command,
    output: result.output,
    exitCode: result.exitCode,
    timedOut: result.timedOut,
    durationMs: result.durationMs,
    statuses: mapToIds(ids, parsed),
    testsSeen: parsed.tests.length + parsed.files.length,
    resultText,
  };
}

async function readRegularFile(dir: string, name: string): Promise<string | null> {
  const dirInfo = await lstat(dir).catch(() => null);
  if (!dirInfo?.isDirectory()) return null;
  const handle = await open(join(dir, name), constants.O_RDONLY | constants.O_NOFOLLOW).catch(() => null);
  if (!handle) return null;
  try {
    const info = await handle.stat();
    if (!info.isFile() || info.size > MAX_REPORT_BYTES) return null;
    return await handle.readFile('utf8');
  } finally {
    await handle.close();
  }
}
