/**
 * The workers and the job handlers they run (src/work): on the work queue, in `serve` or
 * `conjecture worker`, runs triggered on GitHub and `fix` jobs submitted through the REST API
 * (measured when `metrics` is given); on an eval queue, `eval` jobs for `eval run` and `eval worker`.
 */
import { GITHUB_JOB_KIND, type GitHubJobDeps } from '../../app/index.ts';
import type { Logger } from '../../core/log.ts';
import { EVAL_JOB_KIND, type StartEvalWorker } from '../../eval/index.ts';
import type { Consumer, JobHandler, JobQueue } from '../../jobs/index.ts';
import { createWorker } from '../../jobs/worker.ts';
import { type ConjectureMetrics, instrumentJobHandler } from '../../server/index.ts';
import {
  createEvalJobHandler,
  createFixJobHandler,
  createGitHubFixHandler,
  FIX_JOB_KIND,
} from '../../work/index.ts';

export function startGitHubWorker(
  deps: GitHubJobDeps,
  queue: JobQueue,
  logger: Logger,
  metrics?: ConjectureMetrics,
): Consumer {
  const measured = (handler: JobHandler) => (metrics ? instrumentJobHandler(handler, metrics) : handler);
  return createWorker({
    queue,
    handlers: {
      [GITHUB_JOB_KIND]: measured(createGitHubFixHandler(deps, queue)),
      [FIX_JOB_KIND]: measured(createFixJobHandler(deps)),
    },
    concurrency: deps.config.queue.concurrency,
    leaseMs: deps.config.queue.leaseMs,
    logger: logger.child({ component: 'worker' }),
  });
}

export const startEvalWorker: StartEvalWorker = ({ queue, runnerFor, logger, ...timing }) =>
  createWorker({
    queue,
    handlers: { [EVAL_JOB_KIND]: createEvalJobHandler({ runnerFor, logger }) },
    ...timing,
    logger: logger.child({ component: 'eval-worker' }),
  });
