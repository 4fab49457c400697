/**
 * The `github-fix` job: a run triggered on GitHub (src/app/github-job.ts) for the spec the intake
 * lane stored (read back and validated). A failed run fails the job with its reason; a shutdown
 * hands the job back, and only a cancel is reported as one.
 */
import { type GitHubJobDeps, runGitHubJob, specOf } from '../app/index.ts';
import { ConjectureError } from '../core/errors.ts';
import { JobAbortedError, type JobHandler, type JobQueue } from '../jobs/index.ts';

export function createGitHubFixHandler(deps: GitHubJobDeps, queue: JobQueue): JobHandler {
  return async (job, ctx) => {
    const spec = specOf(job);
    const run = await runGitHubJob(deps, {
      id: job.id,
      spec,
      signal: ctx.signal,
      cancellation: async () =>
        ctx.signal.reason instanceof JobAbortedError && ctx.signal.reason.reason === 'cancel'
          ? { by: (await queue.get(job.id))?.cancel?.by }
          : null,
      progress: (p) => ctx.progress(p),
    });
    // What an operator looks for first: did it work, and where is the pull request.
    deps.logger.info(
      {
        jobId: job.id,
        repo: `${spec.owner}/${spec.repo}`,
        issue: spec.number,
        outcome: run.outcome,
        ...(run.prUrl ? { prUrl: run.prUrl } : {}),
        ...(run.reason ? { reason: run.reason } : {}),
      },
      run.prUrl ? `run ${run.outcome}: ${run.prUrl}` : `run ${run.outcome}`,
    );
    if (run.outcome === 'failed')
      throw new ConjectureError(run.reason ?? 'the run failed', {
        code: 'run_failed',
        hint: 'see the status comment on the issue; comment `/conjecture retry` to run again',
      });
    return {
      exitStatus: run.outcome,
      prUrl: run.prUrl,
      usage: run.usage,
      costUsd: run.costUsd,
      traceLocation: run.traceLocation,
    };
  };
}
