/**
 * One attempt: the agent works until it submits; the change is validated with the repo's tests;
 * new failures go back to the agent (up to `validate.fixRounds` times) in the same conversation.
 */
import { type Conversation, type Prompts, render, runAgent, SUBMIT_SENTINEL } from '../agent/index.ts';
import type { Config } from '../config/schema.ts';
import { WorkspaceError } from '../core/errors.ts';
import type { Logger } from '../core/log.ts';
import type { Model } from '../core/model.ts';
import type { Sandbox } from '../core/sandbox.ts';
import { emptyUsage, type RunUsage, sumUsage, type Task } from '../core/task.ts';
import type { TraceEvent } from '../core/trace.ts';
import { compareRuns, formatFeedback } from '../validate/index.ts';
import type { TestPlan, TestRun } from '../validate/types.ts';
import { summarizePatch } from '../workspace/index.ts';
import type { AttemptResult, Progress } from './types.ts';

export interface AttemptInput {
  attempt: number;
  task: Task;
  config: Config;
  model: Model;
  sandbox: Sandbox;
  /** Loaded once per run (`loadPrompts(config.agent.promptsDir)`), used for every round. */
  prompts: Prompts;
  plan: TestPlan | null;
  baseline: TestRun | null;
  /** Reads the change from the workspace (git diff on the host), never from the model's text. */
  extractPatch: () => Promise<string>;
  /** Runs the tests on the agent's tree in a fresh sandbox, not the agent's (THREATS.md #31). */
  runValidation: (plan: TestPlan) => Promise<TestRun>;
  trace: (event: TraceEvent) => void;
  tracePath: string;
  logger: Logger;
  signal?: AbortSignal;
  onProgress?: (p: Progress) => void;
}

export async function runAttempt(input: AttemptInput): Promise<AttemptResult> {
  const { config, attempt } = input;
  const started = performance.now();
  const seed = (config.model.seed ?? 0) + attempt - 1;
  // Independent attempts must differ: a new seed, and some temperature after the first.
  const temperature = attempt === 1 ? config.model.temperature : Math.max(config.model.temperature, 0.4);
  let usage: RunUsage = emptyUsage();
  let steps = 0;
  let feedbackRounds = 0;
  let history: Conversation | undefined;
  let feedback: string | undefined;
  const commandResults: { command: string; exitCode: number }[] = [];

  for (;;) {
    input.onProgress?.({ phase: 'agent', attempt, step: steps, maxSteps: config.agent.stepLimit });
    const result = await runAgent({
      model: input.model,
      sandbox: input.sandbox,
      task: input.task,
      settings: config.agent,
      prompts: input.prompts,
      sampling: { seed, temperature },
      logger: input.logger,
      signal: input.signal,
      history,
      feedback,
      onEvent: (event) => {
        if (event.type === 'step' && event.command !== null && event.exitCode !== null)
          commandResults.push({ command: event.command, exitCode: event.exitCode });
        input.trace(event);
      },
      onStep: ({ step, max }) =>
        input.onProgress?.({ phase: 'agent', attempt, step: steps + step, maxSteps: max }),
    });
    usage = sumUsage(usage, result.usage);
    steps += result.steps;
    history = result.conversation;
    const extracted = await extractOrRefuse(input);
    const patch = typeof extracted === 'string' ? extracted : '';
    const done = (validation: AttemptResult['validation']): AttemptResult => ({
      attempt,
      ...(typeof extracted === 'string'
        ? { exitStatus: result.exitStatus, detail: result.detail }
        : { exitStatus: 'error' as const, detail: extracted.refused }),
      patch,
      diffLines: diffLines(patch),
      validation,
      feedbackRounds,
      steps,
      usage,
      durationMs: performance.now() - started,
      reproduced: reproduced(commandResults),
      tracePath: input.tracePath,
    });
    if (result.exitStatus !== 'submitted' || !patch.trim() || !input.plan || !input.baseline)
      return done(null);

    input.onProgress?.({ phase: 'validating', attempt, detail: input.plan.command });
    const after = await input.runValidation(input.plan);
    const comparison = compareRuns(input.baseline, after);
    input.trace({
      type: 'validation',
      at: new Date().toISOString(),
      phase: 'after',
      summary: comparison.summary,
      passed: comparison.ok,
    });
    const validation = { command: input.plan.command, baseline: input.baseline, after, comparison };
    if (comparison.ok || feedbackRounds >= config.validate.fixRounds || input.signal?.aborted)
      return done(validation);
    feedbackRounds++;
    feedback = render(input.prompts.feedback, {
      command: input.plan.command,
      failures: formatFeedback(comparison, after),
      submit: SUBMIT_SENTINEL,
    });
    input.logger.info(
      { attempt, round: feedbackRounds, newFailures: comparison.newFailures.length },
      'tests failed; sending the failures back to the agent',
    );
  }
}

/** An oversized change (THREATS.md #30) ends the attempt as an error with the reason; other failures throw. */
async function extractOrRefuse(input: AttemptInput): Promise<string | { refused: string }> {
  try {
    return await input.extractPatch();
  } catch (err) {
    if (!(err instanceof WorkspaceError && err.code === 'patch_too_large')) throw err;
    input.logger.warn({ err }, 'patch refused');
    return { refused: err.message };
  }
}

export function diffLines(patch: string): number {
  const s = summarizePatch(patch);
  return s.additions + s.deletions;
}

/** A command that failed and later, run again, succeeded: the agent saw the bug and its fix. */
function reproduced(results: { command: string; exitCode: number }[]): boolean {
  return results.some(
    (r, i) =>
      r.exitCode !== 0 &&
      results.slice(i + 1).some((later) => later.command === r.command && later.exitCode === 0),
  );
}
