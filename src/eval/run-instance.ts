/**
 * One instance, start to finish: checkout at base_commit, SETUP (dependencies, with network),
 * prediction, test patch, tests (no network), grade. Expected outcomes (empty patch, patch that does
 * not apply, failing tests) are results; anything thrown is caught by the caller and recorded as
 * an error for this instance only.
 */
import { appendFile, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Config } from '../config/schema.ts';
import { describeError } from '../core/errors.ts';
import type { Logger } from '../core/log.ts';
import type { SandboxProvider } from '../core/sandbox.ts';
import { chownTree, type WorkspaceCache } from '../workspace/index.ts';
import { applyWithFallbacks, resetFilesTo } from './apply.ts';
import { gradeTests, type InstanceReport, instanceReport, resolutionStatus } from './grading.ts';
import type { RunAs } from './host-run.ts';
import { instanceSandbox } from './instance-image.ts';
import type { SwebenchInstance } from './instances.ts';
import type { EvalResult, Prediction } from './predictions.ts';
import { installInCheckout, linkCachedDeps, type SetupContext } from './setup.ts';
import { specFor } from './specs.ts';
import { RESULT_DIR, runTests } from './test-run.ts';

export interface InstanceContext {
  provider: SandboxProvider;
  config: Config;
  logger: Logger;
  workspace: WorkspaceCache;
  setup: SetupContext;
  outDir: string;
  mirrorDir?: string;
  /** Per-instance image, e.g. `sweb.eval.x86_64.{instance_id}` (see instance-image.ts). */
  imageTemplate?: string;
  runAs?: RunAs;
  testTimeoutMs: number;
  keepCheckouts: boolean;
  labels?: Record<string, string>;
  signal?: AbortSignal;
}

export function instanceDir(outDir: string, id: string): string {
  return join(outDir, id.replace(/[^A-Za-z0-9._-]/g, '_'));
}

export function remoteFor(repo: string, mirrorDir?: string): string {
  return mirrorDir ? join(mirrorDir, `${repo.replace('/', '__')}.git`) : `https://github.com/${repo}`;
}

export async function evaluateInstance(
  ctx: InstanceContext,
  instance: SwebenchInstance,
  pred: Prediction,
): Promise<EvalResult> {
  const started = Date.now();
  const dir = instanceDir(ctx.outDir, instance.instance_id);
  await mkdir(dir, { recursive: true });
  const logPath = join(dir, 'eval.log');
  await writeFile(logPath, '');
  const note = (text: string) => appendFile(logPath, `[${new Date().toISOString()}] ${text}\n`);
  const base = { instance_id: instance.instance_id, model_name_or_path: pred.model_name_or_path };
  const finish = async (
    report: InstanceReport,
    rest: Omit<EvalResult, 'instance_id' | 'model_name_or_path' | 'duration_ms'>,
  ) => {
    await writeFile(
      join(dir, 'report.json'),
      `${JSON.stringify({ [instance.instance_id]: report }, null, 2)}\n`,
    );
    await note(`status: ${rest.status}${rest.error ? ` (${rest.error})` : ''}`);
    return { ...base, ...rest, duration_ms: Date.now() - started };
  };

  const patch = pred.model_patch;
  await writeFile(join(dir, 'patch.diff'), patch ?? '');
  if (patch === null || patch.trim() === '') {
    return finish(instanceReport({ patch, applied: false }), {
      status: 'empty_patch',
      resolution: null,
      fail_to_pass: null,
      pass_to_pass: null,
    });
  }

  const spec = specFor(instance);
  // An instance may name its own image (SWE-bench's per-instance images); the rest of the sandbox settings stay.
  const config = { ...ctx.config, sandbox: instanceSandbox(ctx.config.sandbox, instance, ctx.imageTemplate) };
  const setup = { ...ctx.setup, config };
  const checkout = await ctx.workspace.checkout({
    remote: remoteFor(instance.repo, ctx.mirrorDir),
    ref: instance.base_commit,
    jobId: `eval-${instance.instance_id}`,
    owner: ctx.runAs,
    fetch: 'if-missing',
  });
  await note(`checkout ${checkout.commit} at ${checkout.dir}`);
  try {
    // The evaluator commits in the checkout as the sandbox's user (apply.ts); the checkout's
    // objects are its own copies (THREATS.md #24), so handing it its `.git` shares nothing.
    if (ctx.runAs) await chownTree(join(checkout.dir, '.git'), ctx.runAs);
    // Installed and generated files must never be taken for part of a patch (see apply.ts).
    await appendFile(
      join(checkout.dir, '.git', 'info', 'exclude'),
      `\n/node_modules/\n/${RESULT_DIR}/\n/.conjecture-ca.pem\n`,
    );
    if (spec.install) {
      const t = Date.now();
      if (spec.manifestOnly) {
        const deps = await linkCachedDeps(setup, instance.repo, checkout.dir, spec.install);
        await note(
          `setup: ${spec.install} (cache ${deps.key}, ${deps.cached ? 'reused' : 'built'}) in ${Date.now() - t} ms`,
        );
      } else {
        await installInCheckout(setup, checkout.dir, spec.install);
        await note(`setup: ${spec.install} in ${Date.now() - t} ms`);
      }
    }

    const applied = await applyWithFallbacks(checkout.dir, patch, { runAs: ctx.runAs, label: 'prediction' });
    await note(applied.log);
    if (!applied.applied) {
      return finish(instanceReport({ patch, applied: false }), {
        status: 'patch_failed',
        resolution: null,
        fail_to_pass: null,
        pass_to_pass: null,
        error:
          'the prediction does not apply to base_commit (git apply, git apply --reject, patch --fuzz=5 all failed)',
      });
    }
    if (instance.test_patch.trim()) {
      const reset = await resetFilesTo(checkout.dir, instance.base_commit, instance.test_patch, ctx.runAs);
      if (reset.length > 0) await note(`reset to base before the test patch: ${reset.join(', ')}`);
      const tests = await applyWithFallbacks(checkout.dir, instance.test_patch, {
        runAs: ctx.runAs,
        label: 'test_patch',
      });
      await note(tests.log);
      if (!tests.applied) throw new Error('test_patch does not apply after the prediction');
    }

    const run = await runTests({
      provider: ctx.provider,
      config,
      checkout: checkout.dir,
      instance,
      spec,
      runAs: ctx.runAs,
      timeoutMs: ctx.testTimeoutMs,
      labels: ctx.labels,
      signal: ctx.signal,
    });
    await writeFile(
      join(dir, 'test_output.txt'),
      `$ ${run.command}\n${run.output}\n[exit ${run.exitCode}${run.timedOut ? ', timed out' : ''}]\n`,
    );
    if (run.resultText !== null) await writeFile(join(dir, 'runner_report.txt'), run.resultText);
    await writeFile(join(dir, 'test_status.json'), `${JSON.stringify(run.statuses, null, 2)}\n`);
    await note(
      `tests: exit ${run.exitCode}${run.timedOut ? ' (timed out)' : ''}, ${run.testsSeen} results, ${Math.round(run.durationMs)} ms`,
    );

    const graded = gradeTests(run.statuses, instance);
    const report = instanceReport({ patch, applied: true, tests: graded });
    const resolution = resolutionStatus(graded);
    return finish(report, {
      status: report.resolved ? 'resolved' : 'unresolved',
      resolution,
      fail_to_pass: {
        success: graded.FAIL_TO_PASS.success.length,
        failure: graded.FAIL_TO_PASS.failure.length,
      },
      pass_to_pass: {
        success: graded.PASS_TO_PASS.success.length,
        failure: graded.PASS_TO_PASS.failure.length,
      },
      ...(run.timedOut ? { error: `tests timed out after ${ctx.testTimeoutMs} ms` } : {}),
    });
  } catch (err) {
    await note(`error: ${describeError(err)}`);
    throw err;
  } finally {
    if (!ctx.keepCheckouts) await checkout.dispose();
  }
}
