/**
 * The Redis consumer side: a BullMQ Worker in manual mode (`getNextJob`) picks the next job by
 * priority and owns the lock that BullMQ's stalled checker watches — that lock is our lease. The
 * START script then decides whether the job may run. A job over its repository's or installation's
 * limit is put back as delayed for `limitRetryMs` (BullMQ groups are Pro-only); see docs/jobs.md for
 * what that costs.
 */
import { randomUUID } from 'node:crypto';
import { type Job, UnrecoverableError, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from '../../core/log.ts';
import { LEASE_EXPIRED_TOO_OFTEN, type Lease, type LeaseBackend, type Settlement } from '../lease.ts';
import type { ClaimLimits, JobProgress, JobRecord } from '../types.ts';
import { PROGRESS, RENEW, SETTLE, START } from './scripts.ts';

export interface RedisLeaseBackendOptions {
  redis: Redis;
  /** A fresh connection for BullMQ (it needs `maxRetriesPerRequest: null`). */
  connect: () => Redis;
  queueName: string;
  bullPrefix: string;
  prefix: string;
  limits: ClaimLimits;
  leaseMs: number;
  limitRetryMs: number;
  stalledIntervalMs: number;
  load: (id: string) => Promise<JobRecord | null>;
  logger: Logger;
}

/** How many jobs one claim may look at before giving up (the rest were over their limits). */
const CLAIM_TRIES = 5;

export function createRedisLeaseBackend(o: RedisLeaseBackendOptions): LeaseBackend {
  const connection = o.connect();
  const worker = new Worker(o.queueName, null, {
    connection,
    prefix: o.bullPrefix,
    autorun: false,
    lockDuration: o.leaseMs,
    stalledInterval: o.stalledIntervalMs,
    // Our START script counts crashes against maxAttempts; BullMQ must not fail jobs on its own.
    maxStalledCount: 1_000_000,
  });
  worker.on('error', (err) => o.logger.warn({ err }, 'BullMQ worker error'));
  void worker.startStalledCheckTimer();
  const held = new Map<string, Job>();
  const { redis, prefix } = o;

  async function discard(job: Job, token: string, why: string): Promise<void> {
    await job.moveToFailed(new UnrecoverableError(why), token, false);
  }

  async function moveBull(job: Job, token: string, s: Settlement): Promise<void> {
    if (s.kind === 'succeeded') await job.moveToCompleted(s.result, token, false);
    else if (s.kind === 'failed') await discard(job, token, `${s.error.code}: ${s.error.message}`);
    else if (s.kind === 'cancelled') await discard(job, token, 'cancelled');
    else if (s.kind === 'retry') await job.moveToDelayed(Date.now() + s.delayMs, token);
    else await job.moveToWait(token);
  }

  return {
    async claim(owner, leaseMs) {
      for (let i = 0; i < CLAIM_TRIES; i++) {
        const token = `${owner}#${randomUUID().slice(0, 8)}`;
        const job = await worker.getNextJob(token, { block: false });
        if (!job?.id) return null;
        const args = [
          prefix,
          job.id,
          token,
          Date.now(),
          leaseMs,
          o.limits.perRepository,
          o.limits.perInstallation,
        ];
        const outcome = await redis.eval(START, 0, ...args, JSON.stringify(LEASE_EXPIRED_TOO_OFTEN));
        if (outcome === 'started') {
          const record = await o.load(job.id);
          if (record) {
            held.set(token, job);
            return { job: record, token };
          }
        } else if (outcome === 'limited') {
          await job.moveToDelayed(Date.now() + o.limitRetryMs, token);
        } else {
          // ended, cancelled, exhausted (the record says why) or missing: nothing left to run.
          o.logger.info({ jobId: job.id, outcome }, 'claimed job does not run');
          await discard(job, token, String(outcome));
        }
      }
      return null;
    },

    async renew(lease, leaseMs) {
      const expires = Date.now() + leaseMs;
      const r = (await redis.eval(RENEW, 0, prefix, lease.job.id, lease.token, expires)) as unknown[];
      if (r.length === 0) return { held: false, cancel: null };
      await held.get(lease.token)?.extendLock(lease.token, leaseMs);
      const [, by, reason, at] = r.map(String);
      return { held: true, cancel: by ? { by, reason: reason ?? '', at: new Date(Number(at)) } : null };
    },

    async progress(lease: Lease, p: JobProgress) {
      await redis.eval(PROGRESS, 0, prefix, lease.job.id, lease.token, 'progress', JSON.stringify(p));
    },

    async settle(lease, s) {
      const now = Date.now();
      const json =
        s.kind === 'succeeded'
          ? JSON.stringify(s.result)
          : s.kind === 'failed' || s.kind === 'retry'
            ? JSON.stringify(s.error)
            : s.kind === 'cancelled' && s.result
              ? JSON.stringify(s.result)
              : '';
      const runAfter = s.kind === 'retry' ? now + s.delayMs : now;
      const ok = await redis.eval(SETTLE, 0, prefix, lease.job.id, lease.token, now, s.kind, json, runAfter);
      const job = held.get(lease.token);
      held.delete(lease.token);
      if (ok !== 1 || !job) return false;
      try {
        await moveBull(job, lease.token, s);
      } catch (err) {
        // The record is settled; BullMQ's copy stalls, comes back, and START discards or reruns it.
        o.logger.warn({ err, jobId: lease.job.id }, 'could not move the BullMQ job; the stalled check will');
      }
      return true;
    },

    async close() {
      await worker.close();
      connection.disconnect();
    },
  };
}
