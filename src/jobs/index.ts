export { JobAbortedError } from './consumer.ts';
export { jobIdForKey, LEASE_EXPIRED_TOO_OFTEN } from './lease.ts';
export type { QueueLane, QueueSettings } from './open.ts';
export { backoffDelay, describeJobError } from './outcome.ts';
export { describeProgress, type RunProgressReport, toJobProgress } from './progress.ts';
export {
  type BucketStore,
  createMemoryBucketStore,
  createRateLimiter,
  type RateDecision,
  type RateLimiter,
} from './rate-limit.ts';
export type { RedisJobQueueOptions } from './redis/queue.ts';
export type { SqliteJobQueueOptions } from './sqlite/queue.ts';
export * from './types.ts';
export type { CreateWorkerOptions, JobHandlers } from './worker.ts';
