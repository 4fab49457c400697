/**
 * One SWE-bench instance through the same pipeline the app runs (`runFix`): checkout at
 * `base_commit`, setup, agent sandbox, attempts. The instance's image is its own `image`, else the
 * run's image template (SWE-bench's `sweb.eval.x86_64.{instance_id}`, where the environment is
 * already installed, so no setup), else the configured image plus a setup command.
 */
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Config } from '../config/schema.ts';
import type { RunUsage } from '../core/task.ts';
import { splitTitle } from '../github/issue-input.ts';
import { runFix } from '../run/pipeline.ts';
import type { RunDeps, RunResult } from '../run/types.ts';
import { cachedDepsFor } from './agent-deps.ts';
import { instanceImage, instanceSandbox } from './instance-image.ts';
import type { SwebenchInstance } from './instances.ts';
import { isVerifiedPython, TESTBED_ENV } from './python-specs.ts';
import { instanceDir, remoteFor } from './run-instance.ts';
import type { InstanceOutcome, RunResultLine } from './run-store.ts';
import type { SetupContext } from './setup.ts';
import { REPO_SPECS } from './specs.ts';

/** Runs one instance to an outcome; throws only for infrastructure failures (the caller records them). */
export type InstanceRunner = (
  instance: SwebenchInstance,
  options: { signal?: AbortSignal; worker?: string },
) => Promise<InstanceOutcome>;

export interface AgentRunnerOptions {
  deps: RunDeps;
  config: Config;
  /** `model_name_or_path` written to preds.json. */
  label: string;
  /** Scratch space for each instance's pipeline artifacts (removed once recorded). */
  workDir: string;
  mirrorDir?: string;
  /** E.g. `sweb.eval.x86_64.{instance_id}`; placeholders: {instance_id}, {hub_id}, {repo}. */
  imageTemplate?: string;
  /** The dependency cache shared with `eval score`; without it every instance installs its own. */
  setup?: SetupContext;
}

export function createAgentInstanceRunner(opts: AgentRunnerOptions): InstanceRunner {
  return async (instance, { signal, worker }) => {
    const started = Date.now();
    // Unique per attempt: two runs (or a retried job) on one machine may run the same instance.
    const outDir = `${instanceDir(opts.workDir, instance.instance_id)}-${randomUUID().slice(0, 8)}`;
    try {
      const config = instanceConfig(opts.config, instance, opts.imageTemplate);
      const cached = opts.setup ? cachedDepsFor(opts.setup, instance, opts.config, opts.imageTemplate) : null;
      const result = await runFix(opts.deps, {
        task: {
          id: `eval-${instance.instance_id}`,
          repo: remoteFor(instance.repo, opts.mirrorDir),
          commit: instance.base_commit,
          issue: splitTitle(instance.problem_statement || instance.instance_id),
        },
        config: cached
          ? { ...config, validate: { ...config.validate, setupCommand: cached.setupCommand } }
          : config,
        outDir,
        signal,
        prepareCheckout: cached?.prepare,
        ...(isVerifiedPython(instance) ? { sandboxEnv: TESTBED_ENV } : {}),
      });
      const trace = await collectTraces(result);
      return {
        line: resultLine(instance.instance_id, opts.label, result, trace, Date.now() - started, worker),
        patch: result.patch,
        trace,
      };
    } finally {
      await rm(outDir, { recursive: true, force: true });
    }
  };
}

/**
 * The image and setup command for one instance (see the file comment for the order). A Verified
 * Python repository's image holds its environment: no setup; and its tests are the hidden ones
 * the score runs, so the agent's run validates only with a test command the operator configured.
 */
export function instanceConfig(base: Config, instance: SwebenchInstance, imageTemplate?: string): Config {
  const image = instanceImage(instance, imageTemplate);
  const python = isVerifiedPython(instance);
  const setupCommand =
    instance.install ??
    (image || python ? 'true' : (base.validate.setupCommand ?? REPO_SPECS[instance.repo]?.install));
  const validate = { ...base.validate, ...(setupCommand ? { setupCommand } : {}) };
  if (python && !base.validate.testCommand) validate.enabled = false;
  return { ...base, sandbox: instanceSandbox(base.sandbox, instance, imageTemplate), validate };
}

export { expandImage } from './instance-image.ts';

async function collectTraces(result: RunResult): Promise<string> {
  const parts: string[] = [];
  for (const a of result.attempts)
    if (existsSync(a.tracePath)) parts.push(await readFile(a.tracePath, 'utf8'));
  if (parts.length === 0 && existsSync(join(result.outDir, 'trace.jsonl')))
    parts.push(await readFile(join(result.outDir, 'trace.jsonl'), 'utf8'));
  return parts.join('');
}

function resultLine(
  id: string,
  label: string,
  result: RunResult,
  trace: string,
  ms: number,
  worker?: string,
): RunResultLine {
  const attempt = result.chosen ?? result.attempts.at(-1) ?? null;
  const usage: RunUsage = result.usage;
  return {
    instance_id: id,
    model_name_or_path: label,
    exit_status: result.outcome === 'cancelled' ? 'cancelled' : (attempt?.exitStatus ?? 'error'),
    outcome: result.outcome,
    steps: result.attempts.reduce((n, a) => n + a.steps, 0),
    model_calls: usage.calls,
    prompt_tokens: usage.promptTokens,
    ...(usage.cachedPromptTokens !== undefined ? { cached_prompt_tokens: usage.cachedPromptTokens } : {}),
    completion_tokens: usage.completionTokens,
    cost_usd: usage.costUsd,
    duration_ms: ms,
    format_errors: countFormatErrors(trace),
    patch_bytes: Buffer.byteLength(result.patch),
    patch_lines: attempt?.diffLines ?? 0,
    ...(attempt?.detail && attempt.exitStatus !== 'submitted' ? { error: attempt.detail.slice(0, 500) } : {}),
    ...(worker ? { worker } : {}),
    finished_at: new Date().toISOString(),
  };
}

export function countFormatErrors(trace: string): number {
  let n = 0;
  for (const line of trace.split('\n')) {
    if (!line.includes('format_error')) continue;
    try {
      if ((JSON.parse(line) as { type?: string }).type === 'format_error') n++;
    } catch {
      // A torn last line (the writer was killed) is not an event.
    }
  }
  return n;
}

/** The line for an instance that threw: recorded so the run goes on (crash isolation). */
export function crashedLine(id: string, label: string, message: string, ms: number, worker?: string) {
  const line: RunResultLine = {
    instance_id: id,
    model_name_or_path: label,
    exit_status: 'error',
    outcome: 'crashed',
    steps: 0,
    model_calls: 0,
    prompt_tokens: 0,
    completion_tokens: 0,
    cost_usd: 0,
    duration_ms: ms,
    format_errors: 0,
    patch_bytes: 0,
    patch_lines: 0,
    error: message.split('\n').slice(0, 3).join(' | ').slice(0, 500),
    ...(worker ? { worker } : {}),
    finished_at: new Date().toISOString(),
  };
  return line;
}
