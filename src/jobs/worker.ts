/**
 * A worker: one consumer that routes each job to the handler for its kind. The same function serves
 * the in-process case (the app and worker share a queue object) and a separate `conjecture worker`
 * process (it opens its own queue with `openJobQueue`). The CLI wires SIGTERM to `stop({ graceMs })`.
 */
import { ConjectureError } from '../core/errors.ts';
import type { Logger } from '../core/log.ts';
import type { Consumer, JobHandler, JobKind, JobQueue } from './types.ts';

export type JobHandlers = Partial<Record<JobKind, JobHandler>>;

export interface CreateWorkerOptions {
  queue: JobQueue;
  handlers: JobHandlers;
  concurrency: number;
  logger: Logger;
  /** Lease length; a dead worker's jobs are retried after it (default 60 s). */
  leaseMs?: number;
  pollMs?: number;
}

export function createWorker(options: CreateWorkerOptions): Consumer {
  const { handlers, logger } = options;
  return options.queue.consume({
    concurrency: options.concurrency,
    leaseMs: options.leaseMs ?? 60_000,
    pollMs: options.pollMs,
    handler: async (job, ctx) => {
      const handler = handlers[job.kind];
      if (!handler) {
        throw new ConjectureError(`this worker has no handler for ${job.kind} jobs`, {
          code: 'unknown_job_kind',
          hint: `run a worker that registers a "${job.kind}" handler`,
        });
      }
      logger.info({ jobId: job.id, repo: job.repo, kind: job.kind, attempt: job.attempts }, 'job started');
      return handler(job, ctx);
    },
  });
}
