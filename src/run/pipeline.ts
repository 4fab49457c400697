/**
 * The whole job, as `conjecture fix`, the app's worker and the REST API run it:
 * checkout → repo config → setup (may use network) → agent sandbox (no network) → baseline tests →
 * attempts (agent + validation + feedback) → selection → artifacts. Sandboxes and checkouts are
 * always disposed; expected outcomes are returned as data.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadPrompts } from '../agent/index.ts';
import { secretValues } from '../config/index.ts';
import type { Config } from '../config/schema.ts';
import type { Sandbox } from '../core/sandbox.ts';
import { emptyUsage, type RunUsage, sumUsage } from '../core/task.ts';
import { sandboxSpecFromConfig, type WorkspaceLimit } from '../sandbox/index.ts';
import { createTraceWriter, readTrace, renderTraceMarkdown } from '../trace/index.ts';
import {
  discoverSetupCommand,
  discoverTestCommand,
  findInstalledDependencies,
  moveVenvOut,
  NO_DEPENDENCIES,
  NO_PYTHON_DEBRIS,
  type PythonEnv,
  planTestRun,
  runSetup,
  runTests,
} from '../validate/index.ts';
import type { TestPlan, TestRun } from '../validate/types.ts';
import { type Checkout, extractPatch } from '../workspace/index.ts';
import { runAttempt } from './attempt.ts';
import {
  dependencyMounts,
  limitWorkspaceOf,
  runTestsFresh,
  type TestContext,
  testEnv,
} from './fresh-validation.ts';
import { loadRepoConfig } from './repo-config.ts';
import { selectAttempt } from './select.ts';
import type { AttemptResult, Outcome, Progress, RunDeps, RunOptions, RunResult } from './types.ts';

const SANDBOX_UID = 1000;
const OWNER = { uid: SANDBOX_UID, gid: SANDBOX_UID };
const MB = 1024 * 1024;

/** One checkout with its dependencies installed, an agent sandbox over it, and the baseline tests. */
interface Environment {
  checkout: Checkout;
  config: Config;
  /** What the repository's config asked for and did not get. */
  configNotes: string[];
  sandbox: Sandbox;
  plan: TestPlan | null;
  baseline: TestRun | null;
  /** Where validation runs: a fresh container over the agent's tree (fresh-validation.ts). */
  tests: TestContext;
  dispose(): Promise<void>;
}

async function prepareEnvironment(
  deps: RunDeps,
  options: RunOptions,
  ref: string | undefined,
  progress: (p: Progress) => void,
): Promise<Environment> {
  const { task, signal } = options;
  progress({ phase: 'checkout', detail: task.repo });
  const checkout = await deps.workspace.checkout({
    remote: task.repo,
    ref,
    token: options.token,
    jobId: task.id,
    owner: OWNER,
  });
  let sandbox: Sandbox | undefined;
  let limit: WorkspaceLimit | undefined;
  let pythonEnv: PythonEnv | null = null;
  const dispose = async () => {
    await sandbox?.dispose();
    await pythonEnv?.dispose();
    await limit?.release();
    await checkout.dispose();
  };
  try {
    limit = await limitWorkspaceOf(deps.sandboxes, options.config.sandbox, checkout.dir, OWNER, deps.logger);
    await options.prepareCheckout?.(checkout.dir);
    const { config, notes: configNotes } = await loadRepoConfig({
      config: options.config,
      gitDir: checkout.mirror,
      ref: options.configRef ?? checkout.commit,
      pinned: options.pinned,
    });
    for (const note of configNotes) deps.logger.warn({ note }, 'repository config not fully applied');
    const labels = { 'dev.conjecture.task': task.id.slice(0, 60) };
    const setup = discoverSetupCommand(checkout.dir, { override: config.validate.setupCommand });
    if (setup) {
      progress({ phase: 'setup', detail: setup.command });
      const setupBox = await deps.sandboxes.create(
        sandboxSpecFromConfig(config.sandbox, checkout.dir, { purpose: 'setup', labels }),
      );
      try {
        const ran = await runSetup(setupBox, setup, {
          timeoutMs: config.validate.timeoutMs,
          signal,
          pipIndexUrl: config.sandbox.pipIndexUrl,
        });
        if (!ran.ok)
          deps.logger.warn(
            { command: setup.command },
            'setup command failed; continuing so the agent can see why',
          );
      } finally {
        await setupBox.dispose();
      }
    }
    // A virtualenv setup built leaves the checkout before the agent starts (python-env.ts).
    pythonEnv = deps.sandboxes.kind === 'local' ? null : await moveVenvOut(checkout.dir);
    const tests: TestContext = {
      sandboxes: deps.sandboxes,
      settings: config.sandbox,
      checkout,
      installed:
        deps.sandboxes.kind === 'local'
          ? NO_DEPENDENCIES
          : findInstalledDependencies(checkout.dir, { pythonEnv: pythonEnv?.hostDir }),
      labels,
      owner: OWNER,
      logger: deps.logger,
    };
    sandbox = await deps.sandboxes.create(
      sandboxSpecFromConfig(config.sandbox, checkout.dir, {
        labels,
        readOnlyMounts: dependencyMounts(tests),
        env: { ...NO_PYTHON_DEBRIS, ...options.sandboxEnv, ...testEnv(tests) },
      }),
    );
    const discovered = config.validate.enabled
      ? discoverTestCommand(checkout.dir, { override: config.validate.testCommand })
      : null;
    const plan: TestPlan | null = discovered ? planTestRun(discovered) : null;
    let baseline: TestRun | null = null;
    if (plan) {
      progress({ phase: 'baseline', detail: plan.command });
      baseline = await runTests(sandbox, plan, {
        timeoutMs: config.validate.timeoutMs,
        signal,
        env: testEnv(tests),
      });
    }
    return { checkout, config, configNotes, sandbox, plan, baseline, tests, dispose };
  } catch (err) {
    await dispose();
    throw err;
  }
}

export async function runFix(deps: RunDeps, options: RunOptions): Promise<RunResult> {
  const started = performance.now();
  const { task, outDir, signal } = options;
  const log = deps.logger.child({ taskId: task.id });
  const progress = options.onProgress ?? (() => {});
  mkdirSync(outDir, { recursive: true });

  const first = await prepareEnvironment(deps, options, task.commit, progress);
  const extra: Environment[] = [];
  try {
    const { config } = first;
    const secrets = [
      ...secretValues(config),
      ...(options.secrets ?? []),
      ...(options.token ? [options.token] : []),
    ];
    const total = config.agent.attempts;
    // promptsDir is not a repo setting, so every attempt and feedback round shares one load.
    const prompts = loadPrompts(config.agent.promptsDir);
    const attemptIn = async (env: Environment, attempt: number): Promise<AttemptResult> => {
      const tracePath = join(outDir, total > 1 ? `trace-${attempt}.jsonl` : 'trace.jsonl');
      const writer = createTraceWriter(tracePath, { secrets });
      const at = () => new Date().toISOString();
      writer.write({ type: 'start', at: at(), taskId: task.id, model: deps.model.name, attempt });
      if (env.baseline)
        writer.write({
          type: 'validation',
          at: at(),
          phase: 'baseline',
          summary: summarizeRun(env.baseline),
          passed: env.baseline.passed,
        });
      const result = await runAttempt({
        attempt,
        task,
        config: env.config,
        model: deps.model,
        sandbox: env.sandbox,
        prompts,
        plan: env.plan,
        baseline: env.baseline,
        extractPatch: () => extractPatch(env.checkout, { maxBytes: env.config.sandbox.maxPatchMb * MB }),
        runValidation: (plan) =>
          runTestsFresh(env.tests, plan, { timeoutMs: env.config.validate.timeoutMs, signal }),
        trace: (e) => writer.write(e),
        tracePath,
        logger: log.child({ attempt }),
        signal,
        onProgress: (p) => progress({ ...p, attempts: total }),
      });
      writeFileSync(join(outDir, `patch-${attempt}.diff`), result.patch);
      return result;
    };

    let attempts: AttemptResult[] = [];
    if (config.agent.parallelAttempts && total > 1) {
      // Each attempt gets its own checkout and sandbox, pinned to the same commit as the first.
      for (let i = 2; i <= total; i++)
        extra.push(await prepareEnvironment(deps, options, first.checkout.commit, () => {}));
      attempts = await Promise.all([first, ...extra].map((env, i) => attemptIn(env, i + 1)));
    } else {
      for (let attempt = 1; attempt <= total && !signal?.aborted; attempt++) {
        if (attempt > 1) await resetWorkspace(first.sandbox, first.checkout.commit);
        attempts.push(await attemptIn(first, attempt));
      }
    }

    progress({ phase: 'selecting' });
    const chosen = selectAttempt(attempts);
    const result: RunResult = {
      ...judge(chosen, attempts, signal),
      patch: chosen?.patch ?? '',
      chosen,
      attempts,
      baseCommit: first.checkout.commit,
      testCommand: first.plan?.command ?? null,
      model: deps.model.name,
      image: config.sandbox.image,
      usage: attempts.reduce<RunUsage>((u, a) => sumUsage(u, a.usage), emptyUsage()),
      durationMs: performance.now() - started,
      outDir,
      config,
      configNotes: first.configNotes,
    };
    writeArtifacts(result);
    progress({ phase: 'done', detail: result.reason });
    return result;
  } finally {
    for (const env of [first, ...extra]) await env.dispose();
  }
}

async function resetWorkspace(sandbox: Sandbox, commit: string): Promise<void> {
  // Ignored files (installed dependencies) stay; everything the previous attempt changed goes.
  // `.git` is the host's and read-only here (THREATS.md #24), so git works from an index in /tmp.
  const index = '/tmp/.conjecture-reset-index';
  await sandbox.exec(
    `export GIT_INDEX_FILE=${index}; git read-tree ${commit} && git checkout-index -a -f && git clean -fdq; s=$?; rm -f ${index}; exit $s`,
    { timeoutMs: 120_000 },
  );
}

function judge(
  chosen: AttemptResult | null,
  attempts: AttemptResult[],
  signal?: AbortSignal,
): { outcome: Outcome; reason: string } {
  if (signal?.aborted) return { outcome: 'cancelled', reason: 'cancelled' };
  if (!chosen) {
    const last = attempts.at(-1);
    const why = last ? `${last.exitStatus}${last.detail ? `: ${last.detail}` : ''}` : 'no attempt ran';
    return {
      outcome: last?.exitStatus === 'error' ? 'error' : 'no_patch',
      reason: `no patch produced (${why})`,
    };
  }
  if (!chosen.validation)
    return { outcome: 'unvalidated', reason: 'patch produced; no test command to validate it' };
  if (chosen.validation.comparison.ok)
    return { outcome: 'validated', reason: chosen.validation.comparison.summary };
  return { outcome: 'failed_validation', reason: chosen.validation.comparison.summary };
}

function summarizeRun(run: TestRun): string {
  const tests = run.tests ? Object.values(run.tests) : [];
  const failed = tests.filter((s) => s === 'failed').length;
  return run.tests
    ? `${tests.length - failed} passed, ${failed} failed (exit ${run.exitCode})`
    : `exit ${run.exitCode}${run.timedOut ? ' (timed out)' : ''}`;
}

function writeArtifacts(result: RunResult): void {
  writeFileSync(join(result.outDir, 'patch.diff'), result.patch);
  if (result.chosen) {
    writeFileSync(
      join(result.outDir, 'trace.md'),
      renderTraceMarkdown(readTrace(result.chosen.tracePath), { title: 'Agent trace' }),
    );
  }
  const summary = {
    outcome: result.outcome,
    reason: result.reason,
    baseCommit: result.baseCommit,
    model: result.model,
    image: result.image,
    testCommand: result.testCommand,
    configNotes: result.configNotes,
    usage: result.usage,
    durationMs: Math.round(result.durationMs),
    chosenAttempt: result.chosen?.attempt ?? null,
    attempts: result.attempts.map((a) => ({
      attempt: a.attempt,
      exitStatus: a.exitStatus,
      detail: a.detail,
      steps: a.steps,
      diffLines: a.diffLines,
      feedbackRounds: a.feedbackRounds,
      validation: a.validation
        ? {
            verdict: a.validation.comparison.verdict,
            summary: a.validation.comparison.summary,
            newFailures: a.validation.comparison.newFailures,
          }
        : null,
      usage: a.usage,
      durationMs: Math.round(a.durationMs),
    })),
  };
  writeFileSync(join(result.outDir, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
}
