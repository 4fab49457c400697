/**
 * What the webhook handlers need from wherever runs are kept: delivery de-duplication, one run per
 * issue, status and cancel. The durable implementation is `createQueueDispatcher` (the job queue);
 * the intake lane (events.ts) is its only user.
 */
import type { JobRecord } from '../jobs/index.ts';
import type { GitHubJobSpec } from './github-job-spec.ts';

export interface IssueKey {
  owner: string;
  repo: string;
  number: number;
}

export interface Dispatcher {
  /** `started: false` when the issue already has a queued or running job (returned instead). */
  submit(
    key: IssueKey,
    spec: GitHubJobSpec,
    deliveryId: string,
  ): Promise<{ job: JobRecord; started: boolean }>;
  active(key: IssueKey): Promise<JobRecord | undefined>;
  last(key: IssueKey): Promise<JobRecord | undefined>;
  /** The job asked to stop, or undefined when nothing was queued or running. */
  cancel(key: IssueKey, by: string): Promise<JobRecord | undefined>;
}
