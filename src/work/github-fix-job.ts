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
    const run = await runGitHubJob(deps, {
      id: job.id,
      spec: specOf(job),
      signal: ctx.signal,
      cancellation: async () =>
        ctx.signal.reason instanceof JobAbortedError && ctx.signal.reason.reason === 'cancel'
          ? { by: (await queue.get(job.id))?.cancel?.by }
          : null,
    });
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
