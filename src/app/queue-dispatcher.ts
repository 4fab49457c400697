/**
 * The `Dispatcher` on the durable work queue (issue 5): the intake lane puts a run here with the
 * triggering delivery's id as idempotency key, so handling a delivery twice (a retry after a crash)
 * cannot double the run. The worker side is src/work/github-fix-job.ts: it reads the spec back
 * (`specOf`, validated) and runs it.
 */
import { z } from 'zod';
import { ConjectureError } from '../core/errors.ts';
import type { Logger } from '../core/log.ts';
import type { JobQueue, JobRecord } from '../jobs/index.ts';
import type { Dispatcher, IssueKey } from './dispatcher.ts';
import type { GitHubJobSpec } from './github-job.ts';

export const GITHUB_JOB_KIND = 'github-fix';

const githubJobSpecSchema = z.object({
  owner: z.string().min(1),
  repo: z.string().min(1),
  number: z.number().int().positive(),
  installationId: z.number().int().positive(),
  cloneUrl: z.string().min(1),
  defaultBranch: z.string().min(1),
  triggeredBy: z.string(),
  triggeredByBot: z.boolean(),
  instructions: z.string(),
  issue: z.object({
    title: z.string(),
    body: z.string(),
    number: z.number().int().optional(),
    url: z.string().optional(),
    comments: z.array(z.object({ author: z.string(), body: z.string() })).optional(),
  }),
  issueSha256: z.string(),
  pull: z.object({ number: z.number().int().positive(), branch: z.string().min(1) }).optional(),
}) satisfies z.ZodType<GitHubJobSpec>;

/** The spec stored with a job; the queue row is outside this process, so it is checked again. */
export function specOf(job: JobRecord): GitHubJobSpec {
  const parsed = githubJobSpecSchema.safeParse(job.payload);
  if (parsed.success) return parsed.data;
  throw new ConjectureError(`job ${job.id} has an invalid GitHub job payload: ${parsed.error.message}`, {
    code: 'invalid_job_payload',
    hint: 'the job was written by an incompatible version; re-trigger it with `/conjecture retry`',
  });
}

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
