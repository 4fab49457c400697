/**
 * `conjecture worker`: runs GitHub jobs from the durable queue (the SQLite file or Redis in
 * `queue`), next to a `conjecture serve --no-worker` (or several). SIGTERM/SIGINT stop taking jobs
 * and give running ones `server.shutdownGraceMs`; the rest are handed back to the queue.
 */
import type { Command } from '../command.ts';

export const workerCommand = {
  name: 'worker',
  summary: 'run queued GitHub jobs (the queue `conjecture serve` fills)',
  usage: 'worker',
  options: {},
  async run(ctx) {
    const compose = await import('../compose/index.ts');
    const { config, logger, deps } = await compose.openRunnerParts(ctx, {}, { runsJobs: true });
    const { jobDeps } = compose.createGitHubRunner(deps);
    const worker = compose.startGitHubWorker(jobDeps, deps.queue, logger);
    ctx.out.line(
      `worker consuming the ${deps.queue.backend} queue (concurrency ${config.queue.concurrency})`,
    );
    await new Promise<void>((resolve) => {
      const stop = () => {
        logger.info('shutting down');
        void worker
          .stop({ graceMs: config.server.shutdownGraceMs })
          .then((report) => {
            logger.info(report, 'worker stopped');
            return deps.queue.close();
          })
          .then(resolve);
      };
      process.once('SIGTERM', stop);
      process.once('SIGINT', stop);
    });
    return 0;
  },
} satisfies Command;
