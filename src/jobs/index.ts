export { createConsumer, JobAbortedError } from './consumer.ts';
export { jobIdForKey, LEASE_EXPIRED_TOO_OFTEN } from './lease.ts';
export { openBucketStore, openJobQueue, type QueueLane, type QueueSettings } from './open.ts';
export { backoffDelay, describeJobError } from './outcome.ts';
export { describeProgress, type RunProgressReport, toJobProgress } from './progress.ts';
export {
  type BucketStore,
  createMemoryBucketStore,
  createRateLimiter,
  type RateDecision,
  type RateLimiter,
} from './rate-limit.ts';
export { createRedisBucketStore, createSqliteBucketStore } from './rate-limit-stores.ts';
export { createRedisJobQueue, type RedisJobQueueOptions } from './redis/queue.ts';
export { createSqliteJobQueue, type SqliteJobQueueOptions } from './sqlite/queue.ts';
export * from './types.ts';
export { type CreateWorkerOptions, createWorker, type JobHandlers } from './worker.ts';
