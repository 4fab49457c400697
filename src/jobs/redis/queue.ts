/**
 * The distributed `JobQueue`: BullMQ v6 on Redis (ioredis client) with the SQLite backend's
 * semantics. Our job record (a hash per job plus index sorted sets) is the history and the truth
 * about state; BullMQ carries the job id (a hash of the idempotency key) in priority order and
 * detects dead workers. See docs/jobs.md.
 */
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import type { Logger } from '../../core/log.ts';
import { silentLogger } from '../../core/log.ts';
import { createConsumer } from '../consumer.ts';
import { jobIdForKey } from '../lease.ts';
import {
  type BackoffPolicy,
  type CancelOutcome,
  type ClaimLimits,
  DELIVERY_RETENTION_MS,
  enqueueRequestSchema,
  JOB_STATES,
  type JobQueue,
  type JobRecord,
  MAX_PRIORITY,
} from '../types.ts';
import { createRedisLeaseBackend } from './lease-backend.ts';
import { listRecords } from './list.ts';
import { hashToRecord, recordFields, redisKeys } from './records.ts';
import { CANCEL, CREATE, PRUNE } from './scripts.ts';

export interface RedisJobQueueOptions {
  url: string;
  /** Namespace for every key, ours and BullMQ's (default `conjecture`). */
  prefix?: string;
  queueName?: string;
  limits?: Partial<ClaimLimits>;
  backoff?: Partial<BackoffPolicy>;
  /** How long a job over its concurrency limit waits before it is looked at again (default 1000). */
  limitRetryMs?: number;
  /** BullMQ's stalled-check period; a dead worker's job returns within lease + 2 periods (default 5000). */
  stalledIntervalMs?: number;
  logger?: Logger;
}

/** Our priorities: higher first, 0 default. BullMQ's: 1 first, up to 2^21. */
export function toBullPriority(priority: number): number {
  return MAX_PRIORITY + 1 - priority;
}

export function createRedisJobQueue(options: RedisJobQueueOptions): JobQueue {
  const logger = options.logger ?? silentLogger();
  const prefix = options.prefix ?? 'conjecture';
  const queueName = options.queueName ?? 'jobs';
  const keys = redisKeys(`${prefix}:${queueName}`);
  const connect = () => new Redis(options.url, { maxRetriesPerRequest: null });
  const redis = new Redis(options.url, { maxRetriesPerRequest: 3 });
  const bullConnection = connect();
  const bullPrefix = `${prefix}-bull`;
  const bull = new Queue(queueName, { connection: bullConnection, prefix: bullPrefix });
  bull.on('error', (err) => logger.warn({ err }, 'BullMQ queue error'));
  const limits: ClaimLimits = { perRepository: 1, perInstallation: 2, ...options.limits };
  const backoff: BackoffPolicy = { baseMs: 5000, maxMs: 300_000, ...options.backoff };

  async function get(id: string): Promise<JobRecord | null> {
    return hashToRecord(id, await redis.hgetall(keys.record(id)));
  }

  return {
    backend: 'redis',
    async enqueue(request) {
      const r = enqueueRequestSchema.parse(request);
      const id = jobIdForKey(r.idempotencyKey);
      const created = await redis.eval(CREATE, 0, keys.prefix, id, ...recordFields(r, Date.now()));
      const job = await get(id);
      if (!job) throw new Error(`job ${id} vanished right after it was written`);
      // Added after the record, and again on a repeated enqueue while queued, so a crash between the
      // two writes cannot lose the job; BullMQ ignores a second add with the same jobId.
      if (job.state === 'queued') {
        await bull.add(
          r.kind,
          {},
          { jobId: id, priority: toBullPriority(r.priority), removeOnComplete: true },
        );
      }
      return { job, created: created === 1 };
    },

    get,

    list: (query) => listRecords(redis, keys, query),

    async cancel(id, { by, reason }): Promise<CancelOutcome> {
      const outcome = await redis.eval(CANCEL, 0, keys.prefix, id, by, reason, Date.now());
      if (outcome === 'not_found') return { kind: 'not_found' };
      // A queued job leaves BullMQ now; if a worker holds it this is a no-op and START discards it.
      if (outcome === 'cancelled') await bull.remove(id).catch(() => 0);
      const job = await get(id);
      if (!job) return { kind: 'not_found' };
      const kind =
        outcome === 'cancelled'
          ? 'cancelled'
          : outcome === 'cancel_requested'
            ? 'cancel_requested'
            : 'already_ended';
      return { kind, job };
    },

    consume(consumeOptions) {
      const backend = createRedisLeaseBackend({
        redis,
        connect,
        queueName,
        bullPrefix,
        prefix: keys.prefix,
        limits,
        leaseMs: consumeOptions.leaseMs,
        limitRetryMs: options.limitRetryMs ?? 1000,
        stalledIntervalMs: options.stalledIntervalMs ?? 5000,
        load: get,
        logger,
      });
      return createConsumer({ ...consumeOptions, backend, backoff, logger });
    },

    async stats() {
      const pipeline = redis.pipeline();
      for (const s of JOB_STATES) pipeline.zcard(keys.state(s));
      const results = (await pipeline.exec()) ?? [];
      const byState = Object.fromEntries(JOB_STATES.map((s, i) => [s, Number(results[i]?.[1] ?? 0)]));
      return { byState: byState as Record<(typeof JOB_STATES)[number], number>, depth: byState.queued ?? 0 };
    },

    async recordDelivery(deliveryId) {
      const set = await redis.set(keys.delivery(deliveryId), '1', 'PX', DELIVERY_RETENTION_MS, 'NX');
      return set === 'OK';
    },

    async prune({ finishedBefore, limit = 1_000 }) {
      const ids = (await redis.eval(PRUNE, 0, keys.prefix, finishedBefore.getTime(), limit)) as string[];
      // BullMQ keeps failed jobs; with ours gone, its copy would block a new job under the same key.
      for (const id of ids) await bull.remove(id).catch(() => 0);
      return ids.length;
    },

    async close() {
      await bull.close();
      bullConnection.disconnect();
      redis.disconnect();
    },
  };
}
