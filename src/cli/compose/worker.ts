/**
 * A worker on the work queue, in `serve` or in `conjecture worker`: runs triggered on GitHub and
 * `fix` jobs submitted through the REST API, measured when `metrics` is given.
 */
import { createGitHubFixHandler, type GitHubJobDeps } from '../../app/index.ts';
import type { Logger } from '../../core/log.ts';
import { type Consumer, createWorker, type JobHandler, type JobQueue } from '../../jobs/index.ts';
import { type ConjectureMetrics, createFixJobHandler, instrumentJobHandler } from '../../server/index.ts';

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
      'github-fix': measured(createGitHubFixHandler(deps, queue)),
      fix: measured(createFixJobHandler(deps)),
    },
    concurrency: deps.config.queue.concurrency,
    leaseMs: deps.config.queue.leaseMs,
    logger: logger.child({ component: 'worker' }),
  });
}
