/**
 * Builds the configured backend: SQLite in the state directory by default, BullMQ on Redis when
 * `queue.backend` is `redis`. Takes the `queue` section of the config (structurally), so `jobs/`
 * does not depend on `config/`.
 */
import { join } from 'node:path';
import { ConjectureError } from '../core/errors.ts';
import type { Logger } from '../core/log.ts';
import type { BucketStore } from './rate-limit.ts';
import { createRedisBucketStore, createSqliteBucketStore } from './rate-limit-stores.ts';
import { createRedisJobQueue } from './redis/queue.ts';
import { createSqliteJobQueue } from './sqlite/queue.ts';
import type { JobQueue } from './types.ts';

export interface QueueSettings {
  backend: 'sqlite' | 'redis';
  sqlitePath?: string;
  redisUrl?: string;
  perRepository: number;
  perInstallation: number;
}

/**
 * `work` is the queue of runs (GitHub and API fixes). `intake` holds webhook deliveries until the app
 * has checked and answered them: a separate queue (file or BullMQ queue) so a delivery never waits
 * behind a long run, with deliveries of one repository handled one at a time and in order. `eval`
 * holds SWE-bench instances of a distributed evaluation, many per repository at once, for
 * `conjecture eval worker` only — the app's workers never see them.
 */
export type QueueLane = 'work' | 'intake' | 'eval';

const LANE_LIMITS = {
  work: undefined,
  intake: { perRepository: 1, perInstallation: 1_000 },
  eval: { perRepository: 10_000, perInstallation: 10_000 },
} as const;

export function openJobQueue(
  settings: QueueSettings,
  opts: { stateDir: string; logger: Logger; lane?: QueueLane },
): JobQueue {
  const lane = opts.lane ?? 'work';
  const intake = lane === 'intake';
  if (settings.backend === 'redis') requireRedisUrl(settings);
  const limits = LANE_LIMITS[lane] ?? {
    perRepository: settings.perRepository,
    perInstallation: settings.perInstallation,
  };
  if (settings.backend === 'sqlite') {
    const path = sqlitePathOf(settings, opts.stateDir);
    return createSqliteJobQueue({
      path: intake ? intakePathOf(path) : path,
      limits,
      logger: opts.logger,
    });
  }
  return createRedisJobQueue({
    url: settings.redisUrl as string,
    limits,
    logger: opts.logger,
    ...(lane === 'work' ? {} : { queueName: lane }),
    ...(intake ? { limitRetryMs: 100 } : {}),
  });
}

/** Rate-limit buckets where the queue lives, so every app process shares them and restarts keep them. */
export function openBucketStore(settings: QueueSettings, opts: { stateDir: string }): BucketStore {
  if (settings.backend === 'redis') return createRedisBucketStore(requireRedisUrl(settings));
  return createSqliteBucketStore(intakePathOf(sqlitePathOf(settings, opts.stateDir)));
}

const sqlitePathOf = (settings: QueueSettings, stateDir: string) =>
  settings.sqlitePath ?? join(stateDir, 'jobs.sqlite');
const intakePathOf = (path: string) => path.replace(/(\.sqlite)?$/, '.intake.sqlite');

function requireRedisUrl(settings: QueueSettings): string {
  if (settings.redisUrl) return settings.redisUrl;
  throw new ConjectureError('queue.backend is "redis" but no Redis URL is set', {
    code: 'config_invalid',
    hint: 'set queue.redisUrl (e.g. redis://127.0.0.1:6379) or use queue.backend "sqlite"',
  });
}
