/**
 * The `Dispatcher` on the durable work queue (issue 5): the intake lane puts a run here with the
 * triggering delivery's id as idempotency key, so handling a delivery twice (a retry after a crash)
 * cannot double the run. The worker side is src/work/github-fix-job.ts: it reads the spec back
 * (`specOf` in github-job-spec.ts, validated) and runs it.
 */
import type { Logger } from '../core/log.ts';
import type { JobQueue, JobRecord } from '../jobs/index.ts';
import type { Dispatcher, IssueKey } from './dispatcher.ts';

export const GITHUB_JOB_KIND = 'github-fix';

const keyOf = (deliveryId: string) => `github:${deliveryId}`;
const OPEN_STATES = new Set(['queued', 'running']);

export interface QueueDispatcher extends Dispatcher {
  /** Every GitHub job, newest first (tests and status). */
  all(): Promise<JobRecord[]>;
}

export function createQueueDispatcher(options: {
  queue: JobQueue;
  maxAttempts: number;
  logger: Logger;
}): QueueDispatcher {
  const { queue } = options;
  const jobsOf = async (key: IssueKey) => {
    const { jobs } = await queue.list({ repo: `${key.owner}/${key.repo}`, limit: 200 });
    return jobs.filter(
      (j) => j.kind === GITHUB_JOB_KIND && (j.payload as { number?: unknown }).number === key.number,
    );
  };
  const active = async (key: IssueKey) => (await jobsOf(key)).find((j) => OPEN_STATES.has(j.state));

  return {
    async submit(key, spec, deliveryId) {
      // One run per issue; a race between two deliveries for one issue at worst queues both, and
      // the per-repository claim limit still runs them one after the other.
      const running = await active(key);
      if (running) return { job: running, started: false };
      const { job } = await queue.enqueue({
        kind: GITHUB_JOB_KIND,
        payload: { ...spec },
        idempotencyKey: keyOf(deliveryId),
        repo: `${key.owner}/${key.repo}`,
        installationId: spec.installationId,
        maxAttempts: options.maxAttempts,
      });
      return { job, started: true };
    },
    active,
    last: async (key) => (await jobsOf(key))[0],
    async cancel(key, by) {
      const job = await active(key);
      if (!job) return undefined;
      const outcome = await queue.cancel(job.id, { by, reason: `cancelled on GitHub by @${by}` });
      return outcome.kind === 'not_found' ? undefined : outcome.job;
    },
    async all() {
      const { jobs } = await queue.list({ limit: 1000 });
      return jobs.filter((j) => j.kind === GITHUB_JOB_KIND);
    },
  };
}
