/**
 * The worker's handler for `fix` jobs submitted through the REST API (issue 5, item 5): the shared
 * pipeline (`runFix`) on the repository, artifacts under `<stateDir>/runs/<jobId>/` (patch.diff,
 * trace.jsonl, trace.md, summary.json), and a result with the outcome, usage, cost and where the
 * trace is. Unlike a GitHub run nothing is pushed: the caller fetches the patch from the API.
 *
 * Every run that reached an end returns a result (the job "succeeded" in the queue's sense; whether
 * the issue was fixed is `exitStatus`), so usage and the trace are kept for runs that produced no
 * patch too — the cost report counts them.
 */
import { join, relative } from 'node:path';
import type { Config } from '../config/schema.ts';
import type { Model } from '../core/model.ts';
import { toJobProgress } from '../jobs/progress.ts';
import type { JobHandler, JobResult } from '../jobs/types.ts';
import { runFix } from '../run/pipeline.ts';
import type { RunDeps } from '../run/types.ts';
import { applyJobOptions, cloneUrlOf, parseFixPayload, resolveIssue } from './fix-input.ts';

export const FIX_JOB_KIND = 'fix';

/** What `serve`/`worker` already build for GitHub runs (model, sandboxes, workspace, logger) plus: */
export interface FixJobDeps extends RunDeps {
  config: Config;
  /** Settings the operator pinned in the environment or flags: never a repository's choice. */
  pinned?: readonly string[];
  /** Artifacts go to `<stateDir>/runs/<jobId>/`; the API reads traces and patches from there. */
  stateDir: string;
  /** Builds a model for a job that asks for another `options.model`; without it the option is ignored. */
  modelFor?: (settings: Config['model']) => Model;
  /** For private repositories and for reading `{url}`/`{number}` issues; never reaches the sandbox. */
  githubToken?: string;
  fetch?: typeof fetch;
}

export function createFixJobHandler(deps: FixJobDeps): JobHandler {
  return async (job, ctx) => {
    const log = deps.logger.child({ jobId: job.id, repo: job.repo });
    const payload = parseFixPayload(job.id, job.payload);
    const config = applyJobOptions(deps.config, payload.options);
    const model =
      deps.modelFor && config.model.name !== deps.model.name ? deps.modelFor(config.model) : deps.model;
    const issue = await resolveIssue(payload, {
      apiUrl: config.github.apiUrl,
      ...(deps.githubToken ? { token: deps.githubToken } : {}),
      ...(deps.fetch ? { fetch: deps.fetch } : {}),
    });
    const outDir = join(deps.stateDir, 'runs', job.id);
    const result = await runFix(
      { model, sandboxes: deps.sandboxes, workspace: deps.workspace, logger: log },
      {
        task: {
          id: job.id,
          repo: cloneUrlOf(payload.remote, config.github.apiUrl),
          issue,
          ...(payload.commit ? { commit: payload.commit } : {}),
          ...(payload.instructions ? { instructions: payload.instructions } : {}),
        },
        config,
        pinned: deps.pinned,
        outDir,
        ...(deps.githubToken ? { token: deps.githubToken } : {}),
        signal: ctx.signal,
        onProgress: (p) =>
          void ctx.progress(toJobProgress(p)).catch((err) => log.warn({ err }, 'progress update failed')),
      },
    );
    const tokens = result.usage;
    log.info({ outcome: result.outcome, reason: result.reason }, 'fix job ended');
    // A run with no patch still has the trace of its last attempt: that is what explains why.
    const trace = (result.chosen ?? result.attempts.at(-1))?.tracePath;
    return {
      exitStatus: result.outcome,
      detail: result.reason,
      usage: { promptTokens: tokens.promptTokens, completionTokens: tokens.completionTokens },
      costUsd: tokens.costUsd,
      // Relative to the state dir, which is the root the API reads artifacts from.
      ...(trace ? { traceLocation: relative(deps.stateDir, trace) } : {}),
    } satisfies JobResult;
  };
}
