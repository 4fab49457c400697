/** How tests (and the child worker process) open a queue on either backend, with short timings. */
import { createRedisJobQueue } from '../../src/jobs/redis/queue.ts';
import { createSqliteJobQueue } from '../../src/jobs/sqlite/queue.ts';
import type { ClaimLimits, JobQueue } from '../../src/jobs/types.ts';

export const TIMING = { leaseMs: 600, pollMs: 25, backoffMs: 100, stalledIntervalMs: 150, limitRetryMs: 60 };

/** What a child worker process needs to open the same queue (see fixtures/worker-child.ts). */
export type QueueSpec =
  | { backend: 'sqlite'; path: string; limits: ClaimLimits }
  | { backend: 'redis'; url: string; prefix: string; limits: ClaimLimits };

export function openFromSpec(spec: QueueSpec): JobQueue {
  const backoff = { baseMs: TIMING.backoffMs, maxMs: 10 * TIMING.backoffMs };
  if (spec.backend === 'sqlite')
    return createSqliteJobQueue({ path: spec.path, limits: spec.limits, backoff });
  return createRedisJobQueue({
    url: spec.url,
    prefix: spec.prefix,
    limits: spec.limits,
    backoff,
    limitRetryMs: TIMING.limitRetryMs,
    stalledIntervalMs: TIMING.stalledIntervalMs,
  });
}
